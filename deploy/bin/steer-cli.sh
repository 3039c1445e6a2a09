#!/usr/bin/env bash
# steer-cli.sh: steer the target model with a control job on steering-service and follow it (docs/steering-service.md).
#
#   ./latentqa steer --control FILE [OPTIONS]     queue a control job from QA pairs (a controls/*.json file, or the
#                                                 name of one in ../shared/data/latentqa/controls, e.g. golden_gate)
#   ./latentqa steer --goal "TEXT" [OPTIONS]      queue a control job from a goal in words
#       then follow it (step/total, loss, elapsed) and print the control loss and the generations before and after
#       --id ID  --samples N (50)  --steps N (= samples)  --lr X (1e-4)  --per-layer  --decoder ID|base
#       --seed N (42)  --held-out N (8)  --max-new-tokens N (64)  --prompts FILE.jsonl  --lora JSON  --no-follow
#   ./latentqa steer follow JOB_ID                follow a job until it ends, then print its results
#   ./latentqa steer status JOB_ID                where a job is; its results once it succeeded
#   ./latentqa steer cancel JOB_ID                stop a queued job at once, a running one after its current step
#   ./latentqa steer list [--limit N]             control jobs, newest first
#   ./latentqa steer adapters [--all] [ID]        steering adapters (--all: retired ones too); one adapter's results
#   ./latentqa steer compare ADAPTER_ID ...       2 to 10 adapters side by side: losses, then each prompt's generations
#   ./latentqa steer retire ADAPTER_ID            withdraw an adapter (capture-service unloads it; results stay)
#
# --url URL (default http://127.0.0.1:$LATENTQA_STEERING_PORT, 8083); --json prints the service's JSON instead.
# --prompts: JSONL, one {"prompt": "...", "response": "..."} per line (response optional); default: the user turns
# of train/system.json. A job's adapter is steer-JOB_ID. Ctrl-C stops following; the job keeps running.
# Needs bash, curl, grep and awk. Exit status: 0 when the job succeeded (or the command did what it says), 1 when it
# failed or was cancelled, or steering-service refused or is not running, 2 for a usage error, 130 after Ctrl-C.
set -euo pipefail

URL="http://127.0.0.1:${LATENTQA_STEERING_PORT:-8083}"
HELP_END=22 # the last line of the comment above
SHARED_CONTROLS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/../shared/data/latentqa/controls"

usage_error() { echo "steer-cli: $* (try ./latentqa steer --help)" >&2; exit 2; }
fail() { echo "steer-cli: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------------
# arguments

CONTROL="" GOAL="" HAVE_GOAL="" JSON_OUT="" NO_FOLLOW="" LIMIT="" ALL=""
declare -a FIELDS=()    # the request's optional fields, "name": value
declare -a CREATE_OPTS=() # the job options given (they need --control or --goal)
declare -a ARGS=()
need_value() { [[ $# -ge 2 ]] || usage_error "$1 needs a value"; }
integer() { # OPTION VALUE: a whole number
  [[ $2 =~ ^[0-9]+$ ]] || usage_error "$1 must be a whole number, got '$2'"
  printf '%s' "$((10#$2))"
}

# json_string: the text on stdin as a JSON string (lines joined by \n; awk, so a large prompt pool is quick)
# shellcheck disable=SC2016 # an awk program
JSON_STRING_AWK='
BEGIN { for (i = 1; i < 32; i++) if (i != 9 && i != 13) { c = sprintf("%c", i); ctl = ctl c; code[c] = sprintf("\\u%04x", i) } }
function swap(s, re, to,   n, parts, i, out) {
  n = split(s, parts, re); out = parts[1]
  for (i = 2; i <= n; i++) out = out to parts[i]
  return out
}
{
  # (regexes as strings: a /regex/ argument would be matched against $0 instead)
  s = swap($0, "\\\\", "\\\\"); s = swap(s, "\"", "\\\""); s = swap(s, "\t", "\\t"); s = swap(s, "\r", "\\r")
  for (i = 1; i <= length(ctl); i++) if (index(s, substr(ctl, i, 1))) { found = 1; break }
  if (found) {
    out = ""
    for (i = 1; i <= length(s); i++) { c = substr(s, i, 1); out = out (index(ctl, c) ? code[c] : c) }
    s = out; found = 0
  }
  printf "%s%s", (NR > 1 ? "\\n" : ""), s
}
'
json_string() { # TEXT
  printf '"'
  printf '%s' "$1" | LC_ALL=C awk "$JSON_STRING_AWK"
  printf '"'
}
json_file() { # FILE
  printf '"'
  LC_ALL=C awk "$JSON_STRING_AWK" "$1"
  printf '"'
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --url) need_value "$@"; URL="${2%/}"; shift 2 ;;
    --json) JSON_OUT=1; shift ;;
    --control) need_value "$@"; CONTROL="$2"; shift 2 ;;
    --goal) need_value "$@"; GOAL="$2"; HAVE_GOAL=1; shift 2 ;;
    --id) need_value "$@"; FIELDS+=("\"id\": $(json_string "$2")"); CREATE_OPTS+=("$1"); shift 2 ;;
    --samples) need_value "$@"; FIELDS+=("\"samples\": $(integer "$1" "$2")"); CREATE_OPTS+=("$1"); shift 2 ;;
    --steps) need_value "$@"; FIELDS+=("\"steps\": $(integer "$1" "$2")"); CREATE_OPTS+=("$1"); shift 2 ;;
    --lr|--learning-rate)
      need_value "$@"
      lr=$2; [[ $lr == .* ]] && lr="0$lr"
      [[ $lr =~ ^(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]] || usage_error "$1 must be a number such as 1e-4 or 0.001, got '$2'"
      FIELDS+=("\"learningRate\": $lr"); CREATE_OPTS+=("$1"); shift 2 ;;
    --per-layer) FIELDS+=("\"perLayer\": true"); CREATE_OPTS+=("$1"); shift ;;
    --decoder) need_value "$@"; FIELDS+=("\"decoder\": $(json_string "$2")"); CREATE_OPTS+=("$1"); shift 2 ;;
    --seed) need_value "$@"; FIELDS+=("\"seed\": $(integer "$1" "$2")"); CREATE_OPTS+=("$1"); shift 2 ;;
    --held-out) need_value "$@"; FIELDS+=("\"heldOut\": $(integer "$1" "$2")"); CREATE_OPTS+=("$1"); shift 2 ;;
    --max-new-tokens) need_value "$@"; FIELDS+=("\"maxNewTokens\": $(integer "$1" "$2")"); CREATE_OPTS+=("$1"); shift 2 ;;
    --lora)
      need_value "$@"
      [[ $2 =~ ^[[:space:]]*\{.*\}[[:space:]]*$ ]] || usage_error "--lora takes a JSON object, e.g. '{\"rank\": 8, \"alpha\": 16}'"
      FIELDS+=("\"lora\": $2"); CREATE_OPTS+=("$1"); shift 2 ;;
    --prompts)
      need_value "$@"
      [[ -f $2 && -r $2 ]] || usage_error "--prompts: no readable file '$2' (JSONL: one {\"prompt\": \"...\"} per line)"
      FIELDS+=("\"prompts\": $(json_file "$2")"); CREATE_OPTS+=("$1"); shift 2 ;;
    --no-follow) NO_FOLLOW=1; CREATE_OPTS+=("$1"); shift ;;
    --limit) need_value "$@"; LIMIT=$(integer "$1" "$2"); shift 2 ;;
    --all) ALL=1; shift ;;
    -h|--help|help) sed -n "2,$HELP_END"p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; ARGS+=("$@"); break ;;
    -*) usage_error "unknown option '$1'" ;;
    *) ARGS+=("$1"); shift ;;
  esac
done

COMMAND=${ARGS[0]:-}
if [[ -n $CONTROL || -n $HAVE_GOAL ]]; then
  [[ -z $COMMAND ]] || usage_error "'$COMMAND' does not go with --control or --goal"
  [[ -z $CONTROL || -z $HAVE_GOAL ]] || usage_error "give one of --control FILE and --goal TEXT, not both"
  COMMAND=create
elif [[ -z $COMMAND ]]; then
  ((${#CREATE_OPTS[@]})) || { sed -n "2,$HELP_END"p "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
  usage_error "say what to steer: --control FILE or --goal \"TEXT\", or a command (follow, status, cancel, list, adapters, compare, retire)"
elif ((${#CREATE_OPTS[@]})); then
  usage_error "${CREATE_OPTS[0]} goes with --control FILE or --goal TEXT"
fi
[[ -z $LIMIT || $COMMAND == list ]] || usage_error "--limit goes with list"
[[ -z $ALL || $COMMAND == adapters ]] || usage_error "--all goes with adapters"
command -v curl >/dev/null || fail "curl is needed (apt-get install curl)"

# job and adapter ids as steering-service spells them (they become part of the URL)
check_id() { # WHAT ID
  [[ $2 =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ ]] || usage_error "'$2' is not a $1 id (letters, digits, '.', '_' or '-')"
}
# one_id WHAT: the command takes exactly one id
one_id() {
  [[ ${#ARGS[@]} -eq 2 ]] || usage_error "$COMMAND takes one $1 id: ./latentqa steer $COMMAND ${1^^}_ID"
  check_id "$1" "${ARGS[1]}"
  printf '%s' "${ARGS[1]}"
}

# ---------------------------------------------------------------------------------------------------------
# JSON: flatten turns a JSON document into one line per value, "PATH<TAB>TOKEN" (strings still JSON-escaped),
# e.g. "result.generations[0].prompt<TAB>\"Give me a recipe\""; containers get a line of "{" or "[". The awk
# programs below read those lines. Plain POSIX awk and grep, in the C locale (bytes in, bytes out).

AWK_LIB='
function hexval(h,   i, v) {
  v = 0; h = tolower(h)
  for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
  return v
}
function utf8(cp) {
  if (cp < 128) return sprintf("%c", cp)
  if (cp < 2048) return sprintf("%c%c", 192 + int(cp / 64), 128 + cp % 64)
  if (cp < 65536) return sprintf("%c%c%c", 224 + int(cp / 4096), 128 + int(cp / 64) % 64, 128 + cp % 64)
  return sprintf("%c%c%c%c", 240 + int(cp / 262144), 128 + int(cp / 4096) % 64, 128 + int(cp / 64) % 64, 128 + cp % 64)
}
# a token as text: a string unescaped, null as "", a number or boolean as it is
function unescape(s,   out, i, c, cp, lo) {
  if (s == "null") return ""
  if (substr(s, 1, 1) != "\"") return s
  s = substr(s, 2, length(s) - 2)
  out = ""
  while ((i = index(s, "\\")) > 0) {
    out = out substr(s, 1, i - 1); c = substr(s, i + 1, 1); s = substr(s, i + 2)
    if (c == "n") out = out "\n"
    else if (c == "t") out = out "\t"
    else if (c == "r") out = out "\r"
    else if (c == "b") out = out "\b"
    else if (c == "f") out = out "\f"
    else if (c == "u") {
      cp = hexval(substr(s, 1, 4)); s = substr(s, 5)
      if (cp >= 55296 && cp < 56320 && substr(s, 1, 2) == "\\u") {
        lo = hexval(substr(s, 3, 4))
        if (lo >= 56320 && lo < 57344) { cp = 65536 + (cp - 55296) * 1024 + (lo - 56320); s = substr(s, 7) }
      }
      out = out utf8(cp)
    } else out = out c
  }
  return out s
}
'

# shellcheck disable=SC2016 # awk programs
AWK_FLATTEN='
{
  t = $0
  if (t == ":") next
  if (t == ",") { if (ty[d] == "[") ix[d]++; else wk = 1; next }
  if (t == "}" || t == "]") { d--; next }
  if (d > 0 && ty[d] == "{" && wk) { ky[d] = unescape(t); wk = 0; next }
  if (d == 0) p = ""
  else if (ty[d] == "[") p = cp[d] "[" ix[d] "]"
  else if (cp[d] == "") p = ky[d]
  else p = cp[d] "." ky[d]
  print p "\t" t
  if (t == "{" || t == "[") { d++; ty[d] = t; ix[d] = 0; cp[d] = p; wk = (t == "{") }
}
'

flatten() { # JSON on stdin
  { LC_ALL=C grep -Eo '"([^"\\]|\\.)*"|-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|true|false|null|-?Infinity|NaN|[][{}:,]' || true; } \
    | LC_ALL=C awk "$AWK_LIB$AWK_FLATTEN"
}

# The views: every one reads flattened lines into V[path] and prints in END.
# shellcheck disable=SC2016
AWK_VIEWS='
{ tab = index($0, "\t"); V[substr($0, 1, tab - 1)] = substr($0, tab + 1) }
function val(p) { return (p in V) ? unescape(V[p]) : "" }
function has(p) { return (p in V) && V[p] != "null" }
function count(p,   n) { n = 0; while ((p "[" n "]") in V) n++; return n }
function num(x, digits) { return x ~ /^-?[0-9]/ ? sprintf("%." digits "f", x + 0) : (x == "" ? "-" : x) }
function oneline(s) { gsub(/[\r\n\t]+/, " ", s); return s }
function cut(s, n) { s = oneline(s); return length(s) <= n ? s : substr(s, 1, n - 3) "..." }
function when(t) { return t == "" ? "-" : substr(t, 1, 10) " " substr(t, 12, 8) }
function rtrim(s) { sub(/ +$/, "", s); return s }
function change(before, after) {
  if (before !~ /^-?[0-9]/ || after !~ /^-?[0-9]/ || before + 0 == 0) return ""
  return sprintf("(%+.1f %%)", (after - before) * 100 / before)
}
# text wrapped to the width, the first line after p1, the others after p2
function wrap(text, p1, p2,   avail, pre, paras, np, i, words, nw, j, line, w) {
  gsub(/\r/, "", text); gsub(/\t/, "    ", text); sub(/\n+$/, "", text); sub(/^\n+/, "", text)
  if (text ~ /^[ \n]*$/) { print p1 "(nothing)"; return }
  avail = width - length(p1); if (avail < 30) avail = 30
  pre = p1
  np = split(text, paras, "\n")
  for (i = 1; i <= np; i++) {
    nw = split(paras[i], words, " ")
    line = ""
    for (j = 1; j <= nw; j++) {
      w = words[j]
      if (line == "") line = w
      else if (length(line) + 1 + length(w) <= avail) line = line " " w
      else { print pre line; pre = p2; line = w }
    }
    print rtrim(pre line); pre = p2
  }
}
# the loss curve in a line: about ten [step, loss] points, and the lowest
function curve(p,   n, i, k, pts, lo, lostep, s) {
  n = count(p)
  if (n == 0) return "no steps yet"
  lo = ""; s = ""
  for (i = 0; i < n; i++) if (lo == "" || val(p "[" i "][1]") + 0 < lo + 0) { lo = val(p "[" i "][1]"); lostep = val(p "[" i "][0]") }
  pts = n < 10 ? n : 10
  for (k = 0; k < pts; k++) {
    i = pts == 1 ? n - 1 : int(k * (n - 1) / (pts - 1) + 0.5)
    s = s (k ? ", " : "step ") sprintf("%d: %s", val(p "[" i "][0]"), num(val(p "[" i "][1]"), 3))
  }
  return s sprintf(" (lowest %s at step %d)", num(lo, 4), lostep)
}
function settings(s,   t, l, i, nl, layers) {
  if (!has(s ".samples")) return ""
  nl = count(s ".lora.layers")
  layers = nl == 0 ? "" : nl == 1 ? " on block " val(s ".lora.layers[0]") \
    : " on blocks " val(s ".lora.layers[0]") "-" val(s ".lora.layers[" (nl - 1) "]")
  t = sprintf("%s samples, %s steps, learning rate %g%s, LoRA r%s alpha %g%s, seed %s", val(s ".samples"), val(s ".steps"),
    val(s ".learningRate"), val(s ".perLayer") == "true" ? " (a loss per layer)" : "", val(s ".lora.rank"),
    val(s ".lora.alpha"), layers, val(s ".seed"))
  t = t sprintf(", %s held out, %s new tokens", val(s ".heldOut"), val(s ".maxNewTokens"))
  if (V[s ".prompts"] ~ /^\[/) t = t sprintf(", %d uploaded prompts", count(s ".prompts"))
  return t
}
# loss and generations of a result (a job'"'"'s result or an adapter'"'"'s)
function results(r,   g, n, i, held, first) {
  if (!has(r ".controlLoss.before")) return
  print ""
  printf "control loss on %s held-out prompts (%s reads), decoder %s reading block %s:\n", val(r ".heldOutPrompts"),
    val(r ".heldOutSamples"), val(r ".decoder"), val(r ".readLayer")
  printf "  before %s   after %s %s\n", num(val(r ".controlLoss.before"), 4), num(val(r ".controlLoss.after"), 4),
    change(val(r ".controlLoss.before"), val(r ".controlLoss.after"))
  n = count(r ".generations"); held = val(r ".heldOutPrompts") + 0
  if (n == 0) return
  print ""
  print "generations before and after steering (greedy; the target as it is, then with the steering adapter):"
  for (i = 0; i < n; i++) {
    g = r ".generations[" i "]"
    print ""
    first = sprintf("[%d/%d] ", i + 1, n)
    wrap(val(g ".prompt") (i >= n - held ? " (held out of the pool)" : ""), first, sprintf("%" length(first) "s", ""))
    wrap(val(g ".before"), "    before | ", "           | ")
    wrap(val(g ".after"), "    after  | ", "           | ")
  }
}
function job(   id, st, qa) {
  id = val("id"); st = val("status")
  printf "control job %s: %s", id, st
  if (st == "RUNNING" || st == "CANCELLED" || (st == "FAILED" && val("step") + 0 > 0)) printf " at step %s of %s", val("step"), val("totalSteps")
  print ""
  if (val("message") != "") wrap(val("message"), "  message   ", "            ")
  qa = count("qa")
  wrap(val("control") (qa ? sprintf(" (%d QA pair%s)", qa, qa == 1 ? "" : "s") : ""), "  control   ", "            ")
  if (settings("spec") != "") wrap(settings("spec") ", decoder " val("spec.decoder"), "  settings  ", "            ")
  printf "  times     created %s, started %s, finished %s%s\n", when(val("createdAt")), when(val("startedAt")),
    when(val("finishedAt")), took == "" ? "" : " (took " took ")"
  if (count("losses") > 0) wrap(curve("losses"), "  loss      ", "            ")
  if (val("adapterId") != "") {
    printf "  adapter   %s\n", val("adapterId")
    printf "            chat with it through capture-service: \"latentqa\": {\"steering\": \"%s\"} in a chat request\n", val("adapterId")
  }
  results("result")
}
function adapter(a) {
  printf "steering adapter %s: published %s%s\n", val(a ".adapterId"), when(val(a ".publishedAt")),
    val(a ".status") == "retired" ? ", retired " when(val(a ".retiredAt")) : ""
  printf "  job       %s\n", val(a ".jobId")
  wrap(val("control"), "  control   ", "            ")
  if (settings("spec") != "") wrap(settings("spec") ", decoder " val("spec.decoder"), "  settings  ", "            ")
  printf "  digest    %s\n  uri       %s\n", val(a ".digest"), val(a ".uri")
  results("result")
}
# rows of a list: column names and paths, widths from the data, the last column cut to the width
function table(ncol, heads, paths,   n, i, c, cell, w, total, line) {
  n = count("")
  if (n == 0) { print empty; return }
  for (c = 1; c <= ncol; c++) w[c] = length(heads[c])
  for (i = 0; i < n; i++) for (c = 1; c <= ncol; c++) {
    cell[i, c] = cellof("[" i "]", paths[c])
    if (c < ncol && length(cell[i, c]) > w[c]) w[c] = length(cell[i, c])
  }
  total = 0; for (c = 1; c < ncol; c++) total += w[c] + 2
  w[ncol] = width - total; if (w[ncol] < 20) w[ncol] = 20
  for (i = -1; i < n; i++) {
    line = ""
    for (c = 1; c <= ncol; c++) {
      if (c < ncol) line = line sprintf("%-" w[c] "s  ", i < 0 ? heads[c] : cell[i, c])
      else line = line cut(i < 0 ? heads[c] : cell[i, c], w[c])
    }
    print rtrim(line)
  }
}
function cellof(row, p) {
  if (p == "steps") return val(row ".step") "/" val(row ".totalSteps")
  if (p ~ /At$/) return when(val(row "." p))
  if (p == "loss") return has(row ".result.controlLoss.before") ? num(val(row ".result.controlLoss.before"), 3) " -> " \
    num(val(row ".result.controlLoss.after"), 3) : "-"
  return val(row "." p) == "" ? "-" : val(row "." p)
}
function compare(   n, a, i, j, k, c, w, ids, np, prompt, seen, order, gen, id, line, same, lab) {
  n = count("")
  for (a = 0; a < n; a++) ids[a] = val("[" a "].adapter.adapterId")
  w = int((width - 14) / n) - 2; if (w < 16) w = 16
  row("adapter", "adapter.adapterId", n, w)
  row("status", "adapter.status", n, w)
  row("job", "adapter.jobId", n, w)
  row("control", "control", n, w)
  row("decoder", "spec.decoder", n, w)
  row("samples", "spec.samples", n, w)
  row("steps", "spec.steps", n, w)
  row("learning rate", "spec.learningRate", n, w)
  row("per layer", "spec.perLayer", n, w)
  row("LoRA rank", "spec.lora.rank", n, w)
  row("seed", "spec.seed", n, w)
  row("loss before", "result.controlLoss.before", n, w)
  row("loss after", "result.controlLoss.after", n, w)
  line = sprintf("%-14s", "change")
  for (a = 0; a < n; a++) line = line sprintf("%-" (w + 2) "s", change(val("[" a "].result.controlLoss.before"), val("[" a "].result.controlLoss.after")))
  print rtrim(line)
  # every prompt any of them was measured on, in order of first appearance
  np = 0
  for (a = 0; a < n; a++) for (i = 0; i < count("[" a "].result.generations"); i++) {
    prompt = val("[" a "].result.generations[" i "].prompt")
    if (!(prompt in seen)) { seen[prompt] = np; order[np++] = prompt }
    gen[seen[prompt], a] = "[" a "].result.generations[" i "]"
  }
  if (np == 0) return
  print ""
  print "generations (greedy): the target before steering, then with each adapter:"
  lab = 0; for (a = 0; a < n; a++) if (length(ids[a]) > lab) lab = length(ids[a])
  if (lab < 6) lab = 6
  for (k = 0; k < np; k++) {
    print ""
    wrap(order[k], sprintf("[%d/%d] ", k + 1, np), sprintf("%" length(sprintf("[%d/%d] ", k + 1, np)) "s", ""))
    # the generation before steering: once if every job measured the same, else one per adapter
    same = 1; c = ""
    for (a = 0; a < n; a++) if ((k, a) in gen) { if (c == "") c = val(gen[k, a] ".before"); else if (val(gen[k, a] ".before") != c) same = 0 }
    for (a = 0; a < n; a++) if ((k, a) in gen) {
      if (same) { wrap(val(gen[k, a] ".before"), sprintf("    %-" lab "s | ", "before"), sprintf("    %" lab "s | ", "")); break }
      wrap(val(gen[k, a] ".before"), sprintf("    %-" lab "s | ", "before"), sprintf("    %" lab "s | ", ""))
      printf "    %" lab "s   (as measured by %s)\n", "", ids[a]
    }
    for (a = 0; a < n; a++) {
      if ((k, a) in gen) wrap(val(gen[k, a] ".after"), sprintf("    %-" lab "s | ", ids[a]), sprintf("    %" lab "s | ", ""))
      else printf "    %-" lab "s | (not measured on this prompt)\n", ids[a]
    }
  }
}
function row(label, p, n, w,   a, line, v) {
  line = sprintf("%-14s", label)
  for (a = 0; a < n; a++) {
    v = val("[" a "]." p)
    if (p ~ /controlLoss/) v = num(v, 4)
    else if (p ~ /learningRate/ && v != "") v = sprintf("%g", v)
    line = line sprintf("%-" (w + 2) "s", cut(v == "" ? "-" : v, w))
  }
  print rtrim(line)
}
END {
  if (view == "job") job()
  else if (view == "adapter") adapter("adapter")
  else if (view == "compare") compare()
  else if (view == "jobs") {
    empty = "no control jobs yet (queue one: ./latentqa steer --goal \"...\")"
    split("ID|STATUS|STEPS|LOSS|ADAPTER|CREATED|CONTROL", h, "|"); split("id|status|steps|loss|adapterId|createdAt|control", q, "|")
    table(7, h, q)
  } else if (view == "adapters") {
    empty = "no steering adapters" (all ? "" : " published (--all shows retired ones too)")
    split("ADAPTER|STATUS|JOB|DECODER|PUBLISHED|RETIRED", h, "|"); split("adapterId|status|jobId|decoder|publishedAt|retiredAt", q, "|")
    table(6, h, q)
  } else if (view == "progress") {
    # the fields the follow loop needs, one per line
    n = count("losses")
    print val("status"); print val("step") + 0; print val("totalSteps") + 0; print oneline(val("message"))
    print val("startedAt"); print val("finishedAt"); print n ? num(val("losses[" (n - 1) "][1]"), 4) : ""
  } else if (view == "detail") print oneline(val("detail") != "" ? val("detail") : val("title"))
}
'

WIDTH=100
if [[ -t 1 ]]; then
  WIDTH=$(tput cols 2>/dev/null || echo 100)
  [[ $WIDTH =~ ^[0-9]+$ ]] || WIDTH=100
fi
((WIDTH >= 60)) || WIDTH=60
((WIDTH <= 160)) || WIDTH=160

# view NAME [awk -v assignments]: renders the flattened lines on stdin
view() {
  local name=$1
  shift
  LC_ALL=C awk -v view="$name" -v width="$WIDTH" "$@" "$AWK_LIB$AWK_VIEWS"
}

# ---------------------------------------------------------------------------------------------------------
# HTTP

# request METHOD PATH [BODY]: sets $code and $response; exits when steering-service cannot be reached
request() {
  local out rc=0
  local -a args=(-sS -w '\n%{http_code}' -X "$1" -H 'Accept: application/json')
  if [[ $# -ge 3 ]]; then
    args+=(-H 'Content-Type: application/json' --data-binary @-)
    out=$(printf '%s' "$3" | curl "${args[@]}" "$URL$2" 2>&1) || rc=$?
  else
    out=$(curl "${args[@]}" --max-time 60 "$URL$2" 2>&1) || rc=$?
  fi
  if ((rc != 0)); then
    [[ -z ${FOLLOWING:-} ]] || echo >&3
    case $rc in
      7) echo "steer-cli: steering-service is not running at $URL; ./latentqa up starts it (./latentqa status shows what runs)" >&2 ;;
      *) echo "steer-cli: steering-service at $URL did not answer ($(grep -m1 -o 'curl: (.*' <<<"$out" || echo "curl exit $rc"))" >&2 ;;
    esac
    if [[ -n ${FOLLOWING:-} ]]; then
      echo "steer-cli: control job $FOLLOWING may still be running (a job running when the service stops ends FAILED);" \
        "once the service is back: ./latentqa steer status $FOLLOWING" >&2
    fi
    exit 1
  fi
  code=${out##*$'\n'}
  response=${out%$'\n'*}
}

# expect CODE WHAT: on another status say the problem's detail ("WHAT (HTTP 404): ...") and exit 1
expect() {
  [[ $code == "$1" ]] && return 0
  local detail
  detail=$(flatten <<<"$response" | view detail)
  [[ -n $detail ]] || detail=$(printf '%s' "$response" | head -c 300)
  [[ -n $detail ]] || detail="(no details)"
  [[ -z ${FOLLOWING:-} ]] || echo >&3
  echo "steer-cli: $2 (HTTP $code): $detail" >&2
  exit 1
}

# ---------------------------------------------------------------------------------------------------------
# following a job

epoch() { # ISO time -> seconds since 1970, or nothing
  if [[ -n $1 ]]; then date -d "$1" +%s 2>/dev/null || true; fi
}
duration() { # SECONDS -> 1h02m03s, 4m05s, 6s
  local s=$1
  if ((s >= 3600)); then printf '%dh%02dm%02ds' $((s / 3600)) $((s % 3600 / 60)) $((s % 60))
  elif ((s >= 60)); then printf '%dm%02ds' $((s / 60)) $((s % 60))
  else printf '%ds' "$s"; fi
}
took() { # FLAT: how long the job ran, if it ended
  local -a f
  mapfile -t f < <(view progress <<<"$1")
  local a b
  a=$(epoch "${f[4]}"); b=$(epoch "${f[5]}")
  if [[ -n $a && -n $b ]] && ((b >= a)); then duration $((b - a)); fi
}

interrupted() {
  echo >&3
  echo "steer-cli: stopped following; control job $1 keeps running on steering-service." >&2
  echo "  follow it again: ./latentqa steer follow $1" >&2
  echo "  cancel it:       ./latentqa steer cancel $1" >&2
  exit 130
}

# follow ID: polls the job every second with a progress bar until it ends, then prints it
follow() {
  local id=$1 width=30 tty="" last_key="" started_epoch="" first_step="" first_step_at="" now elapsed line key
  local status step total message started loss eta filled bar flat
  FOLLOWING=$id
  [[ -t 3 ]] && tty=1
  # shellcheck disable=SC2064 # the id is fixed for this job; ids hold no quotes or spaces (check_id)
  trap "interrupted '$id'" INT
  while true; do
    request GET "/v1/controls/$id"
    expect 200 "control job $id cannot be read"
    flat=$(flatten <<<"$response")
    local -a f
    mapfile -t f < <(view progress <<<"$flat")
    status=${f[0]:-} step=${f[1]:-0} total=${f[2]:-0} message=${f[3]:-} started=${f[4]:-} loss=${f[6]:-}
    printf -v now '%(%s)T' -1
    if [[ -n $started && -z $started_epoch ]]; then
      started_epoch=$(epoch "$started")
      [[ -n $started_epoch ]] || started_epoch=$now
    fi
    elapsed=""
    [[ -n $started_epoch ]] && elapsed=$(duration $((now - started_epoch > 0 ? now - started_epoch : 0)))
    if ((step > 0)) && [[ -z $first_step ]]; then first_step=$step first_step_at=$now; fi
    case $status in
      QUEUED) line="queued (one job runs at a time)"; key=queued ;;
      RUNNING|SUCCEEDED|FAILED|CANCELLED)
        if ((total > 0 && step > 0)); then
          filled=$((step * width / total))
          bar=$(printf '%*s' "$filled" '' | tr ' ' '#')$(printf '%*s' $((width - filled)) '' | tr ' ' '.')
          line=$(printf '[%s] %d/%d  loss %s  elapsed %s' "$bar" "$step" "$total" "${loss:--}" "$elapsed")
          eta=""
          if ((step < total && step > first_step && now > first_step_at)); then
            eta=$(((total - step) * (now - first_step_at) / (step - first_step)))
            line+="  steps left ~$(duration "$eta")"
          elif ((step >= total)) && [[ $status == RUNNING ]]; then
            line+="  $message"
          fi
          key="$status $((step * 10 / total))"
          [[ $message == step\ * ]] || key+=" $message"
        else
          line="$message${elapsed:+  (elapsed $elapsed)}"; key="$status $message"
        fi ;;
      *) line="$status: $message"; key=$line ;;
    esac
    if [[ -n $tty ]]; then
      printf '\r\033[K%s' "${line:0:$((WIDTH - 1))}" >&3
    elif [[ $key != "$last_key" ]]; then
      printf '%s\n' "$line" >&3
    fi
    last_key=$key
    case $status in
      SUCCEEDED|FAILED|CANCELLED) break ;;
    esac
    sleep 1
  done
  trap - INT
  FOLLOWING=""
  [[ -z $tty ]] || echo >&3
  if [[ -n $JSON_OUT ]]; then
    printf '%s\n' "$response"
  else
    echo
    show_job "$flat" "$id" "$status"
  fi
  [[ $status == SUCCEEDED ]]
}

# show_job FLAT ID STATUS: the job, its results, and what to do next
show_job() {
  view job -v took="$(took "$1")" <<<"$1"
  case $3 in
    QUEUED|RUNNING) echo; echo "follow it: ./latentqa steer follow $2   cancel it: ./latentqa steer cancel $2" ;;
    SUCCEEDED)
      echo
      echo "compare with other adapters: ./latentqa steer compare steer-$2 ADAPTER_ID ...   withdraw it: ./latentqa steer retire steer-$2" ;;
  esac
}

# ---------------------------------------------------------------------------------------------------------
# commands

# progress goes to stdout, or to stderr when stdout carries the JSON
if [[ -n $JSON_OUT ]]; then exec 3>&2; else exec 3>&1; fi

case $COMMAND in
  create)
    if [[ -n $CONTROL ]]; then
      file=$CONTROL
      if [[ ! -e $file && $file != */* && -f $SHARED_CONTROLS/${file%.json}.json ]]; then
        file=$SHARED_CONTROLS/${file%.json}.json
      fi
      [[ -f $file && -r $file ]] || usage_error "--control: no readable file '$CONTROL' (a controls/*.json file such as ../shared/data/latentqa/controls/golden_gate.json)"
      content=$(<"$file")
      content=${content#$'\xef\xbb\xbf'}
      [[ $content =~ ^[[:space:]]*\{ ]] \
        || usage_error "--control: '$CONTROL' is not a control file: {\"<control prompt>\": [[question, answer], ...]}"
      body="{\"control\": $content"
    else
      [[ $GOAL =~ [^[:space:]] ]] || usage_error "--goal needs the behaviour in words, e.g. --goal \"The assistant is always cheerful\""
      body="{\"goal\": $(json_string "$GOAL")"
    fi
    for field in "${FIELDS[@]}"; do body+=", $field"; done
    body+="}"
    request POST /v1/controls "$body"
    expect 202 "the control job was refused"
    id=$(flatten <<<"$response" | LC_ALL=C awk -F'\t' '$1 == "id" { print substr($2, 2, length($2) - 2) }')
    if [[ -n $NO_FOLLOW ]]; then
      if [[ -n $JSON_OUT ]]; then printf '%s\n' "$response"; else printf '%s\n' "$id"; fi
      [[ ! -t 2 ]] || echo "steer-cli: queued; follow it with ./latentqa steer follow $id" >&2
      exit 0
    fi
    echo "steer-cli: control job $id queued (Ctrl-C stops following; the job keeps running)" >&3
    follow "$id" ;;
  follow)
    id=$(one_id job)
    follow "$id" ;;
  status)
    id=$(one_id job)
    request GET "/v1/controls/$id"
    expect 200 "control job $id cannot be read"
    flat=$(flatten <<<"$response")
    if [[ -n $JSON_OUT ]]; then printf '%s\n' "$response"; exit 0; fi
    status=$(view progress <<<"$flat" | head -n1)
    show_job "$flat" "$id" "$status" ;;
  cancel)
    id=$(one_id job)
    request POST "/v1/controls/$id/cancel" "{}"
    expect 200 "control job $id was not cancelled"
    if [[ -n $JSON_OUT ]]; then printf '%s\n' "$response"; exit 0; fi
    mapfile -t f < <(flatten <<<"$response" | view progress)
    if [[ ${f[0]} == CANCELLED ]]; then
      echo "steer-cli: control job $id cancelled: ${f[3]}"
    else
      echo "steer-cli: control job $id is asked to stop; it ends CANCELLED after its current step (./latentqa steer follow $id)"
    fi ;;
  list)
    [[ ${#ARGS[@]} -eq 1 ]] || usage_error "list takes no arguments (--limit N)"
    request GET "/v1/controls${LIMIT:+?limit=$LIMIT}"
    expect 200 "the control jobs cannot be listed"
    if [[ -n $JSON_OUT ]]; then printf '%s\n' "$response"; exit 0; fi
    flatten <<<"$response" | view jobs ;;
  adapters)
    if [[ ${#ARGS[@]} -eq 1 ]]; then
      request GET "/v1/steering-adapters${ALL:+?includeRetired=true}"
      expect 200 "the steering adapters cannot be listed"
      if [[ -n $JSON_OUT ]]; then printf '%s\n' "$response"; exit 0; fi
      flatten <<<"$response" | view adapters -v all="$ALL"
    else
      id=$(one_id adapter)
      request GET "/v1/steering-adapters/$id"
      expect 200 "steering adapter $id cannot be read"
      if [[ -n $JSON_OUT ]]; then printf '%s\n' "$response"; exit 0; fi
      flatten <<<"$response" | view adapter
    fi ;;
  compare)
    ids=("${ARGS[@]:1}")
    ((${#ids[@]} >= 2 && ${#ids[@]} <= 10)) || usage_error "compare takes 2 to 10 adapter ids (./latentqa steer adapters lists them)"
    for a in "${ids[@]}"; do check_id adapter "$a"; done
    joined=$(IFS=,; printf '%s' "${ids[*]}")
    request GET "/v1/steering-adapters/compare?ids=$joined"
    expect 200 "the adapters cannot be compared"
    if [[ -n $JSON_OUT ]]; then printf '%s\n' "$response"; exit 0; fi
    flatten <<<"$response" | view compare ;;
  retire)
    id=$(one_id adapter)
    request POST "/v1/steering-adapters/$id/retire" "{}"
    expect 200 "steering adapter $id was not retired"
    if [[ -n $JSON_OUT ]]; then printf '%s\n' "$response"; exit 0; fi
    echo "steer-cli: steering adapter $id retired; capture-service unloads it (its files and results stay:" \
      "./latentqa steer adapters --all)" ;;
  *)
    usage_error "unknown command '$COMMAND'" ;;
esac
