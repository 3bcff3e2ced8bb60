#!/usr/bin/env bash
# corpus.sh WRIT — the verifier's corpus, asserted: every tests/verify/bugs/*.writ must be
# reported violated with a counterexample confirmed on the VM, and no
# tests/verify/correct/*.writ may be reported violated (unknown is allowed there: it is not
# a false alarm). Files listed in pending.txt are run and reported but not asserted.
# Prints one line per file and the totals; exit 1 on any miss or false alarm.
set -u
writ=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
pending=$(sed -e 's/#.*//' tests/verify/pending.txt | tr -s ' \n' '\n')
is_pending() { printf '%s\n' "$pending" | grep -qx "$1"; }
found=0 nbugs=0 clean=0 ncorrect=0 fail=0 npend=0
for f in tests/verify/bugs/*.writ tests/verify/correct/*.writ; do
  rel=${f#tests/verify/}
  json=$("$writ" verify --format json --jobs 2 "$f" 2>/dev/null)
  verdict=$(printf '%s' "$json" | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except Exception:
    print("unreadable"); sys.exit()
v = [r for r in d["results"] if r["verdict"] == "violated"]
c = [r for r in v if r.get("confirmed")]
print("confirmed %d:%d" % (len(c), c[0]["line"]) if c else "violated" if v else "none")')
  if is_pending "$rel"; then
    npend=$((npend + 1)); echo "$rel: pending ($verdict)"; continue
  fi
  case $rel in
    bugs/*)
      nbugs=$((nbugs + 1))
      case $verdict in
        confirmed*) found=$((found + 1)); echo "$rel: found, $verdict";;
        *) fail=1; echo "$rel: MISSED ($verdict)";;
      esac;;
    correct/*)
      ncorrect=$((ncorrect + 1))
      case $verdict in
        none) clean=$((clean + 1)); echo "$rel: no violation";;
        *) fail=1; echo "$rel: FALSE ALARM ($verdict)";;
      esac;;
  esac
done
echo "corpus: $found/$nbugs bugs found with a confirmed counterexample;" \
     "$clean/$ncorrect correct contracts without a violation; $npend pending (pending.txt)"
exit $fail
