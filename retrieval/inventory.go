package retrieval

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Exists reports whether dir holds a store (its file DBFile), creating
// nothing. It fails when that cannot be told (dir is a file, or may not
// be read) and when DBFile is a symbolic link to a target that does not
// exist, with an error naming the path.
func Exists(dir string) (bool, error) {
	path := filepath.Join(dir, DBFile)
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist) && isSymlink(path):
		// A link to an unmounted volume is a store out of reach, not no
		// store: reading it as empty would hide every article.
		return false, danglingStore(path, err)
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	if explained := dataDirInTheWay(dir, err); explained != nil {
		return false, explained // a file where the data directory should be
	}
	return false, fmt.Errorf("look for a store in %s: %w", dir, err)
}

// Scopes lists the scopes that hold at least one article, sorted.
func (s *Store) Scopes(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT scope FROM articles ORDER BY scope`)
	if err != nil {
		return nil, fmt.Errorf("list scopes: %w", s.fileError(err))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sc string
		if err := rows.Scan(&sc); err != nil {
			return nil, fmt.Errorf("list scopes: %w", s.fileError(err))
		}
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list scopes: %w", s.fileError(err))
	}
	return out, nil
}

// AllArticles lists the articles of every scope, as Articles does for
// some (newest first, each with its scope and chunk count).
func (s *Store) AllArticles(ctx context.Context) ([]ArticleInfo, error) {
	return s.listArticles(ctx, nil)
}
