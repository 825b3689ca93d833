#!/usr/bin/env bash
# Rebuilds third_party/go-dateparser from an upstream go-dateparser release
# with citebot's patch (CITEBOT.md): the locale data (internal/data) and the
# timezone expressions (internal/timezone) are built on first use instead of
# at package initialisation.
#
#   third_party/go-dateparser/citebot-patch.sh [VERSION]   # default v1.2.3
#
# Run from the repository root, then: go mod tidy (and set the version in
# go.mod's require line), go test ./ingest/ ./cmd/citebot/. It stops if
# the upstream code no longer has the shape the patch expects.
set -euo pipefail
export LC_ALL=C # file-name order is byte order, as Go sorts them
version=${1:-v1.2.3}
dst=third_party/go-dateparser
[[ -f go.mod && -d $dst ]] || { echo "run from the repository root" >&2; exit 1; }
src=$(cd "$(mktemp -d)" && go mod download -json "github.com/markusmobius/go-dateparser@$version" |
	sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[[ -d $src ]] || { echo "go mod download found no source for $version" >&2; exit 1; }

keep=$(mktemp -d)
cp "$dst/CITEBOT.md" "$dst/citebot-patch.sh" "$keep/"
rm -rf "$dst"
mkdir -p "$dst"
(cd "$src" && find . -name '*.go' ! -name '*_test.go' ! -path './scripts/*' -print0 |
	xargs -0 cp --parents -t "$OLDPWD/$dst")
cp "$src"/go.mod "$src"/go.sum "$src"/LICENSE* "$src"/README.md "$dst/"
chmod -R u+w "$dst"
cp "$keep"/* "$dst/"

note='// Modified by citebot: init renamed, run on first use (see CITEBOT.md at the module root).'
fail() { echo "citebot-patch: $*" >&2; exit 1; }

# internal/data: each locale file's init becomes load_<file>, and
# loadLocales runs them all once, in file-name order, before any lookup.
data=$dst/internal/data
! grep -l '^func init()' "$data"/0*.go || fail "a numbered data file has an init"
calls=
for f in "$data"/[a-z]*.go; do
	fn=load_$(basename "$f" .go | tr -- - _)
	[[ $(grep -cx 'func init() {' "$f") == 1 ]] || fail "$f: not one func init()"
	sed -i -e "1i $note" -e "s/^func init() {\$/func $fn() {/" "$f"
	calls+=$'\t\t'"$fn()"$'\n'
done
cat >"$data/05-citebot-load.go" <<EOF
// Modified by citebot: this file is citebot's, written by citebot-patch.sh (see CITEBOT.md).

package data

import "sync"

var localesOnce sync.Once

// loadLocales fills the locale variables on first use, running what were
// the locale files' init functions in the order Go ran them (file names).
func loadLocales() {
	localesOnce.Do(func() {
${calls}	})
}
EOF
f=$data/00-locale-data.go
grep -qx 'func GetLocaleData(locale string) (\*LocaleData, bool) {' "$f" || fail "$f: GetLocaleData changed"
sed -i -e "1i // Modified by citebot: GetLocaleData loads the locale data first (see CITEBOT.md)." \
	-e '/^func GetLocaleData(locale string) (\*LocaleData, bool) {$/a \	loadLocales()' "$f"
[[ $(grep -rl '_Locale\b' "$dst" --include=*.go | grep -vc "^$data/") == 0 ]] || fail "locale variables used outside internal/data"

# internal/timezone: the expressions built into package variables at init
# are built by loadOffsets, which both functions that read them call first.
tz=$dst/internal/timezone
f=$tz/tz-offsets.go
head='var timezoneOffsets, rxSearch, rxSearchIgnoreCase = func() ([]OffsetData, *regexp.Regexp, *regexp.Regexp) {'
grep -qxF "$head" "$f" && [[ $(grep -cx '}()' "$f") == 1 ]] && grep -qx $'\t"strings"' "$f" || fail "$f changed"
sed -i -e "1i // Modified by citebot: the offsets are built on first use (see CITEBOT.md).\n" \
	-e 's/^var timezoneOffsets, rxSearch, rxSearchIgnoreCase = func() /func buildOffsets() /' \
	-e 's/^}()$/}/' -e 's/^\t"strings"$/&\n\t"sync"/' "$f"
cat >>"$f" <<'EOF'

var (
	offsetsOnce                  sync.Once
	timezoneOffsets              []OffsetData
	rxSearch, rxSearchIgnoreCase *regexp.Regexp
)

// loadOffsets builds the timezone expressions on first use.
func loadOffsets() {
	offsetsOnce.Do(func() { timezoneOffsets, rxSearch, rxSearchIgnoreCase = buildOffsets() })
}
EOF
f=$tz/parser.go
[[ $(grep -rlE 'timezoneOffsets|rxSearch' "$tz" | sort | tr '\n' ' ') == "$tz/parser.go $tz/tz-offsets.go " ]] || fail "$tz: offsets used elsewhere"
for fn in 'func PopTzOffset(str string) (string, OffsetData) {' 'func WordIsTz(word string) bool {'; do
	grep -qxF "$fn" "$f" || fail "$f: $fn changed"
	sed -i "/^${fn%%(*}(/a \\	loadOffsets()" "$f"
done
sed -i "1i // Modified by citebot: both functions build the offsets first (see CITEBOT.md).\n" "$f"

unformatted=$(gofmt -l "$data/05-citebot-load.go" "$data/00-locale-data.go" "$tz")
[[ -z $unformatted ]] || fail "not gofmt-clean: $unformatted"
echo "patched go-dateparser $version into $dst"
