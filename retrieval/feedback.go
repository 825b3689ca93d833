package retrieval

// Feedback on answers: the record of each answer the Discord bot sends
// (what a vote is about) and the votes on them.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// feedbackTables hold answers and votes (schema version 4). Votes are
// keyed by answer and a hash of the voter, so a second vote replaces the
// first. Older citebots ignore both tables.
var feedbackTables = []string{
	`CREATE TABLE IF NOT EXISTS answers (
		id        TEXT PRIMARY KEY,
		scope     TEXT NOT NULL,
		question  TEXT NOT NULL,
		answer    TEXT NOT NULL,
		citations TEXT NOT NULL DEFAULT '[]',
		answerer  TEXT NOT NULL DEFAULT '',
		embedder  TEXT NOT NULL DEFAULT '',
		created   TEXT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS votes (
		answer_id  TEXT NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
		voter_hash TEXT NOT NULL,
		up         INTEGER NOT NULL,
		reason     TEXT NOT NULL DEFAULT '',
		voted      TEXT NOT NULL,
		PRIMARY KEY (answer_id, voter_hash)
	)`,
	`CREATE INDEX IF NOT EXISTS votes_voted ON votes (voted)`,
	`CREATE INDEX IF NOT EXISTS answers_created ON answers (created)`,
}

// CitedPassage is one passage an answer cited: its article and its rank
// among the retrieved passages (1 = best).
type CitedPassage struct {
	ArticleID string `json:"article_id"`
	Rank      int    `json:"rank"`
}

// AnswerRecord is an answer as sent, kept so that votes on it can be
// recorded with what they judge.
type AnswerRecord struct {
	ID        string         `json:"answer_id"`
	Scope     string         `json:"scope"`
	Question  string         `json:"question"`
	Answer    string         `json:"answer"`
	Citations []CitedPassage `json:"citations"`
	Answerer  string         `json:"answerer"`
	Embedder  string         `json:"embedder"`
	Created   time.Time      `json:"answered"`
}

// Vote is one person's judgement of an answer; VoterHash stands for the
// person (never their ID).
type Vote struct {
	AnswerID  string
	VoterHash string
	Up        bool
	Reason    string // with a 👎 only; "" when none was given
	Voted     time.Time
}

// FeedbackEntry is a vote with the answer it judges.
type FeedbackEntry struct {
	AnswerRecord
	Vote      string    `json:"vote"` // "up" or "down"
	Reason    string    `json:"reason"`
	VoterHash string    `json:"voter"`
	Voted     time.Time `json:"voted"`
}

// SaveAnswer records an answer sent. Its ID must be new.
func (s *Store) SaveAnswer(ctx context.Context, a AnswerRecord) error {
	if a.ID == "" || !ValidScope(a.Scope) {
		return fmt.Errorf("save answer %q in %q: missing ID or invalid scope", a.ID, a.Scope)
	}
	cits, err := json.Marshal(a.Citations)
	if err != nil {
		return fmt.Errorf("save answer %s: %w", a.ID, err)
	}
	if a.Created.IsZero() {
		a.Created = s.now()
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO answers (id, scope, question, answer, citations, answerer, embedder, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.Scope, a.Question, a.Answer, string(cits), a.Answerer, a.Embedder, feedbackTime(a.Created))
	if err != nil {
		return fmt.Errorf("save answer %s: %w", a.ID, s.fileError(err))
	}
	return nil
}

// Answer returns the record of an answer; a missing one (never sent, or
// pruned) wraps ErrNotFound.
func (s *Store) Answer(ctx context.Context, id string) (AnswerRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, scope, question, answer, citations, answerer, embedder, created,
		'', '', '', '' FROM answers WHERE id = ?`, id)
	if err != nil {
		return AnswerRecord{}, fmt.Errorf("answer %s: %w", id, s.fileError(err))
	}
	got, err := scanFeedback(rows)
	if err != nil {
		return AnswerRecord{}, fmt.Errorf("answer %s: %w", id, err)
	}
	if len(got) == 0 {
		return AnswerRecord{}, fmt.Errorf("answer %s: %w", id, ErrNotFound)
	}
	return got[0].AnswerRecord, nil
}

// RecordVote records v, replacing the voter's earlier vote on the same
// answer (a changed vote drops the earlier reason). The answer must have
// been saved; else the error wraps ErrNotFound.
func (s *Store) RecordVote(ctx context.Context, v Vote) error {
	if v.Voted.IsZero() {
		v.Voted = s.now()
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO votes (answer_id, voter_hash, up, reason, voted)
		SELECT id, ?, ?, ?, ? FROM answers WHERE id = ?
		ON CONFLICT (answer_id, voter_hash) DO UPDATE SET up = excluded.up, reason = excluded.reason, voted = excluded.voted`,
		v.VoterHash, boolInt(v.Up), v.Reason, feedbackTime(v.Voted), v.AnswerID)
	if err != nil {
		return fmt.Errorf("vote on answer %s: %w", v.AnswerID, s.fileError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("vote on answer %s: %w", v.AnswerID, ErrNotFound)
	}
	return nil
}

// FeedbackQuery selects votes: of one scope ("" for all) cast at or
// after Since (zero for all).
type FeedbackQuery struct {
	Scope string
	Since time.Time
}

// Feedback lists the votes q selects with their answers, oldest first.
func (s *Store) Feedback(ctx context.Context, q FeedbackQuery) ([]FeedbackEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.scope, a.question, a.answer, a.citations, a.answerer, a.embedder, a.created,
		CASE v.up WHEN 1 THEN 'up' ELSE 'down' END, v.reason, v.voter_hash, v.voted
		FROM votes v JOIN answers a ON a.id = v.answer_id
		WHERE (? = '' OR a.scope = ?) AND v.voted >= ?
		ORDER BY v.voted, a.id, v.voter_hash`, q.Scope, q.Scope, feedbackTime(q.Since))
	if err != nil {
		return nil, fmt.Errorf("feedback: %w", s.fileError(err))
	}
	out, err := scanFeedback(rows)
	if err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	return out, nil
}

func scanFeedback(rows *sql.Rows) ([]FeedbackEntry, error) {
	defer rows.Close()
	var out []FeedbackEntry
	for rows.Next() {
		var (
			e              FeedbackEntry
			cits, at, when string
		)
		if err := rows.Scan(&e.ID, &e.Scope, &e.Question, &e.Answer, &cits, &e.Answerer, &e.Embedder, &at,
			&e.Vote, &e.Reason, &e.VoterHash, &when); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(cits), &e.Citations); err != nil {
			return nil, fmt.Errorf("citations of answer %s: %w", e.ID, err)
		}
		var err error
		if e.Created, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("time of answer %s: %w", e.ID, err)
		}
		if e.Voted, err = parseTime(when); err != nil {
			return nil, fmt.Errorf("time of a vote on answer %s: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// PruneFeedback deletes the votes cast before cutoff and the answers
// sent before it that no later vote refers to. It returns how many votes
// and answers went.
func (s *Store) PruneFeedback(ctx context.Context, cutoff time.Time) (votes, answers int64, err error) {
	if cutoff.IsZero() {
		return 0, 0, errors.New("prune feedback: no cutoff")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("prune feedback before %s: %w", feedbackTime(cutoff), s.fileError(err))
	}
	defer tx.Rollback()
	c := feedbackTime(cutoff)
	r, err := tx.ExecContext(ctx, `DELETE FROM votes WHERE voted < ?`, c)
	if err == nil {
		votes, _ = r.RowsAffected()
		r, err = tx.ExecContext(ctx, `DELETE FROM answers WHERE created < ?
			AND NOT EXISTS (SELECT 1 FROM votes WHERE votes.answer_id = answers.id)`, c)
	}
	if err == nil {
		answers, _ = r.RowsAffected()
		err = tx.Commit()
	}
	if err != nil {
		return 0, 0, fmt.Errorf("prune feedback before %s: %w", c, s.fileError(err))
	}
	return votes, answers, nil
}

// feedbackTime formats t in UTC with a fixed number of digits, so the
// text order of the stored times is their time order.
func feedbackTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}

// boolInt is b as the 0 or 1 of an INTEGER column (PostgreSQL does not
// convert a boolean parameter).
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
