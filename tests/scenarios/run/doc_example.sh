#!/bin/sh
# doc_example.sh WRIT ORACLE_DIR DOC WORKDIR — runs the full example of docs/SCENARIOS.md on
# every target, so the documentation cannot drift from what `writ test` does. Its source
# (../token.writ) is resolved against the repository's examples/.
writ=$1 dir=$2 doc=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
mkdir -p "$work" || exit 1
awk '/^## A full example/ {on = 1; next} on && /^```yaml/ {grab = 1; next} grab && /^```/ {exit} grab {print}' \
  "$doc" | sed "s|\.\./token\.writ|$root/examples/token.writ|" > "$work/example.yaml"
[ -s "$work/example.yaml" ] || { echo "doc_example.sh: no yaml block under '## A full example' in $doc"; exit 1; }
exec sh "$here/run.sh" "$writ" "$dir" all pass "$work/example.yaml"
