#!/usr/bin/env python3
"""sarif_check.py WRIT FILE... — runs `writ verify --format sarif` on the files and checks the
log has the shape GitHub code scanning accepts (SARIF 2.1.0): version and $schema, one run
whose tool.driver has name, version, informationUri and rules; every result has a ruleId
that names one of the rules, a level, message.text, and a location with a relative
artifactLocation.uri and a region with startLine/startColumn >= 1. Also: the exit status
is 1 (the files hold violations) and every violated result is an error."""
import json
import subprocess
import sys

writ, files = sys.argv[1], sys.argv[2:]
p = subprocess.run([writ, "verify", "--format", "sarif", *files], capture_output=True, text=True)
problems = []
def need(cond, what):
    if not cond:
        problems.append(what)
try:
    log = json.loads(p.stdout)
except ValueError as e:
    print("not JSON:", e, p.stdout[:500], p.stderr[:500])
    sys.exit(1)
need(p.returncode == 1, "exit status %d, expected 1" % p.returncode)
need(log.get("version") == "2.1.0", "version is not 2.1.0")
need(isinstance(log.get("$schema"), str) and "sarif" in log["$schema"], "no $schema")
runs = log.get("runs")
need(isinstance(runs, list) and len(runs) == 1, "runs is not one run")
run = runs[0] if runs else {}
driver = run.get("tool", {}).get("driver", {})
for k in ("name", "version", "informationUri"):
    need(isinstance(driver.get(k), str) and driver[k], "tool.driver.%s missing" % k)
need(driver.get("informationUri", "").startswith("https://"), "informationUri is not absolute")
rules = driver.get("rules")
need(isinstance(rules, list) and rules, "no rules")
ids = {r.get("id") for r in rules or []}
need(all(isinstance(r.get("shortDescription", {}).get("text"), str) for r in rules or []),
     "a rule without shortDescription.text")
results = run.get("results")
need(isinstance(results, list) and results, "no results")
errors = 0
for r in results or []:
    need(r.get("ruleId") in ids, "ruleId %r is not a rule" % r.get("ruleId"))
    need(r.get("level") in ("error", "warning", "note"), "bad level %r" % r.get("level"))
    need(isinstance(r.get("message", {}).get("text"), str) and r["message"]["text"], "no message.text")
    locs = r.get("locations")
    need(isinstance(locs, list) and len(locs) == 1, "not one location")
    for loc in locs or []:
        pl = loc.get("physicalLocation", {})
        uri = pl.get("artifactLocation", {}).get("uri", "")
        need(uri and not uri.startswith("/") and "://" not in uri, "uri %r is not relative" % uri)
        reg = pl.get("region", {})
        need(isinstance(reg.get("startLine"), int) and reg["startLine"] >= 1, "bad startLine")
        need(isinstance(reg.get("startColumn"), int) and reg["startColumn"] >= 1, "bad startColumn")
    if r.get("properties", {}).get("verdict") == "violated":
        errors += 1
        need(r.get("level") == "error", "a violation that is not an error")
need(errors >= len(files), "fewer violations (%d) than buggy files (%d)" % (errors, len(files)))
for x in problems:
    print("sarif:", x)
print("sarif: %d results, %d rules, %d problems" % (len(results or []), len(rules or []), len(problems)))
sys.exit(1 if problems else 0)
