package bot

// Turn is one earlier exchange of a conversation, oldest first.
type Turn struct {
	Question string
	Answer   string
}

// Question is what the answering core is asked.
type Question struct {
	Text string
	// Scope is where the question was asked: "shared" or "guild:<id>".
	// A guild scope sees that guild's articles plus the shared ones.
	Scope   string
	History []Turn
}

// Citation is one source of an answer: marker number N refers to it.
type Citation struct {
	N         int    `json:"n"`
	ArticleID string `json:"article_id"`
	Title     string `json:"title"`
	Source    string `json:"source"`
	URL       string `json:"url"`
	Quote     string `json:"quote"`
}
