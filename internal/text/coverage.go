package text

// Coverage is the weighted share of terms (distinct, as Terms makes them)
// found in have: each term counts with its weight in weights (1 when it
// has none). A term that only shares a stem with a term of have (one a
// prefix of the other, the shorter at least 4 letters: "evacu" and
// "evacue") counts for prefixCredit (half) of its weight: "month" is weak
// evidence for "monthly". A term that have holds only a synonym of
// (HasSynonym: "attacked" and "aggression") counts for synonymCredit of
// it. Retrieval weighs terms by inverse document frequency, the
// answerability decision by GeneralWeight and by Rarity.
func Coverage(terms []string, weights map[string]float64, have map[string]struct{}) float64 {
	total, got := 0.0, 0.0
	for _, t := range terms {
		w, ok := weights[t]
		if !ok {
			w = 1
		}
		total += w
		if _, ok := have[t]; ok {
			got += w
		} else if SharesStem(t, have) {
			got += prefixCredit * w
		} else if HasSynonym(t, have) {
			got += synonymCredit * w
		}
	}
	if total == 0 {
		return 0
	}
	return got / total
}

// prefixCredit is the share of a term's weight earned by a term that
// shares its stem without being equal.
const prefixCredit = 0.5

// synonymCredit is the share of a term's weight earned by a synonym in
// Coverage: as much as a shared stem.
const synonymCredit = 0.5
