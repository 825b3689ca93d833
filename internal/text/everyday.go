package text

import "strings"

// commonWeight is the weight (in retrieval's Coverage and the extractive
// answerer's term weights) of a term that is one of the everyday words of
// English (commonWords): such a word ("still", "new", "open", "people")
// says little about what a question is about, so a passage that lacks it
// is not much less relevant. Other terms weigh 1.
const commonWeight = 0.25

// GeneralWeight is the weight of a term (as Terms returns it) by how
// common the word is in English at large, whatever the corpus: everyday
// words weigh commonWeight (0.25), the rest 1. Retrieval's Coverage and
// the extractive answerer weigh question terms by it.
func GeneralWeight(term string) float64 {
	if _, ok := commonStems[term]; ok {
		return commonWeight
	}
	return 1
}

// commonWords are frequent English verbs, adjectives, adverbs and nouns
// that are not stop words (those are dropped from Terms altogether),
// written for this project.
const commonWords = `
able accept add ago agree compare latest recent allow almost alone already also although always among another answer
anyone anything appear area around ask away back bad base become begin behind believe best better
big bit body book break bring build business buy call came can't care carry case cause certain
change child children city clear close come common consider continue could country course cut
day days decide describe detail develop die different do does done door down during each early
easy either else end enough even ever every example expect face fact fall far feel few find fine
first follow form found four free friend full future game gave general get give go going gone
good got great group grow half hand happen hard head hear help here high hold home hope hour
house however idea important include including increase instead interest issue job just keep
kind knew know known large last late later lead learn least leave left less let life light like
line little live long look lose lot love low made main make man many matter may mean meet member
might mind minute miss moment money month more most move much must name near need never new next
nice night none nothing now number offer often old once one open order other others out over own
part pass past pay people per perhaps person place plan play point possible power present pretty
probably problem provide pull put question quite rather read ready real really reason receive
remain remember report require rest result right room run said same saw say school see seem seen
sell send sense serve set several show side since small so someone something sometimes soon
sort speak stand start state stay step still stop story such suggest sure take talk tell tend
term than thing think three through time today told too took top toward try turn two under
understand until upon use used usually very want watch way week well went whether while whole
why win within without woman women word work world would write wrong year years yes yet young
`

var commonStems = func() map[string]struct{} {
	m := make(map[string]struct{})
	for _, w := range strings.Fields(commonWords) {
		for _, t := range Terms(w) {
			m[t] = struct{}{}
		}
	}
	return m
}()
