package text

import "strings"

// irregularForms are English words whose inflection Porter's rules cannot
// undo, each line a base form and its irregular forms: past tenses and
// participles ("began", "begun" of "begin"; "built" of "build") and a few
// plurals ("children", "women"), and the regular forms of the verbs in
// -ie, which Porter's rules cut to "di" and "dy" but leave the base whole
// ("died", "dies", "dying" and "die"). Stem reads each form as its base,
// so that "When did the crisis begin?" meets "The crisis began in
// October" and "When did Tesla die?" meets "Tesla died".
//
// Left out, as they are more often another word than the form: "left"
// (the side), "fed" (the Fed), "bit", "lay", "lain", "lit", "born" and
// "bore" (the animal), "bound", "ground", "wound", "spring" forms, "slew",
// "smelt", "spelt", "dove", "rung", "drunk", "bent", "rose" (the flower,
// the name), "saw" (the tool) and "sat". Written for this project.
const irregularForms = `
arise arose arisen
awake awoke awoken
bear borne
beat beaten
become became
begin began begun
behold beheld
bite bitten
bleed bled
blow blew blown
break broke broken
breed bred
bring brought
build built
burn burnt
buy bought
catch caught
choose chose chosen
cling clung
come came
creep crept
deal dealt
dig dug
draw drew drawn
dream dreamt
drink drank
drive drove driven
dwell dwelt
eat ate eaten
fall fell fallen
feel felt
fight fought
find found
flee fled
fling flung
fly flew flown
forbid forbade forbidden
foresee foresaw foreseen
foretell foretold
forget forgot forgotten
forgive forgave forgiven
freeze froze frozen
get got gotten
give gave given
go went gone
grow grew grown
hang hung
hear heard
hide hid hidden
hold held
keep kept
kneel knelt
know knew known
lead led
leap leapt
learn learnt
lend lent
lose lost
make made
mean meant
meet met
mislead misled
mistake mistook mistaken
outgrow outgrew outgrown
overcome overcame
overrun overran
oversee oversaw overseen
overtake overtook overtaken
overthrow overthrew overthrown
pay paid
prove proven
rebuild rebuilt
rewrite rewrote rewritten
ride rode ridden
ring rang
rise risen
run ran
see seen
seek sought
sell sold
send sent
sew sewn
shake shook shaken
shine shone
shoot shot
show shown
shrink shrank shrunk
sing sang sung
sink sank sunk
slay slain
sleep slept
slide slid
sow sown
speak spoke spoken
speed sped
spend spent
spin spun
stand stood
steal stole stolen
stick stuck
sting stung
stride strode stridden
strike struck stricken
strive strove striven
swear swore sworn
sweep swept
swim swam swum
swing swung
take took taken
teach taught
tear tore torn
think thought
throw threw thrown
undergo underwent undergone
understand understood
undertake undertook undertaken
uphold upheld
wake woke woken
wear wore worn
weep wept
win won
withdraw withdrew withdrawn
withhold withheld
withstand withstood
write wrote written
child children
foot feet
goose geese
man men
mouse mice
tooth teeth
woman women
die died dies dying
lie lied lies lying
tie tied ties tying
vie vied vies vying
`

// irregularBase maps each irregular form of irregularForms to its base.
var irregularBase = func() map[string]string {
	m := make(map[string]string)
	for line := range strings.SplitSeq(irregularForms, "\n") {
		f := strings.Fields(line)
		for _, form := range f[min(1, len(f)):] {
			m[form] = f[0]
		}
	}
	return m
}()
