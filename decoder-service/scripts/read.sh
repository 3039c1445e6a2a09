#!/usr/bin/env bash
# ./latentqa read: ask the decoder a question about a dialog, from a terminal.
#
#   read.sh --dialog FILE --question "..." [--question "..."] [--max-new-tokens N] [--adapter ID|base] [--json]
#   read.sh --activation ID --question "..."        (an event still in the decoder's stream cache)
#
# FILE holds the dialog as JSON: [{"role": "system"|"user"|"assistant", "content": "..."}, ...] (or an object
# with "messages"). The decoder-service (LATENTQA_DECODER_URL, default http://127.0.0.1:${LATENTQA_DECODER_PORT:-8082})
# reads the dialog with its base model (the same weights as the target), then answers each question.
# Prints "question: answer" per question (needs jq; without jq, or with --json, the raw JSON response).
set -euo pipefail

URL="${LATENTQA_DECODER_URL:-http://127.0.0.1:${LATENTQA_DECODER_PORT:-8082}}"
dialog="" activation="" max="" adapter="" raw=""
questions=()

die() { printf 'latentqa read: error: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
# json_string TEXT: TEXT as a JSON string literal
json_string() {
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\r'/\\r}; s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --dialog) dialog=${2:?--dialog needs a file}; shift 2 ;;
    --activation) activation=${2:?--activation needs an id}; shift 2 ;;
    --question|-q) questions+=("${2:?--question needs text}"); shift 2 ;;
    --max-new-tokens) max=${2:?}; shift 2 ;;
    --adapter) adapter=${2:?}; shift 2 ;;
    --json) raw=1; shift ;;
    -h|--help) usage ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ ${#questions[@]} -gt 0 ]] || die "give at least one --question"
[[ -n $dialog || -n $activation ]] || die "give --dialog FILE or --activation ID"
[[ -z $dialog || -z $activation ]] || die "give only one of --dialog and --activation"

body="{"
if [[ -n $dialog ]]; then
  [[ -r $dialog ]] || die "cannot read dialog file $dialog"
  content=$(cat "$dialog")
  if [[ $content =~ ^[[:space:]]*\{ ]]; then
    command -v jq >/dev/null || die "an object dialog file needs jq; give the messages array instead"
    content=$(jq -c '.messages' <<<"$content")
  fi
  body+="\"dialog\":$content"
else
  body+="\"activationId\":$(json_string "$activation")"
fi
body+=",\"questions\":["
for i in "${!questions[@]}"; do
  [[ $i -gt 0 ]] && body+=","
  body+=$(json_string "${questions[$i]}")
done
body+="]"
[[ -n $max ]] && body+=",\"maxNewTokens\":$max"
[[ -n $adapter ]] && body+=",\"adapter\":$(json_string "$adapter")"
body+="}"

response=$(curl -sS -w '\n%{http_code}' -H 'Content-Type: application/json' --data-binary "$body" "$URL/v1/read") \
  || die "decoder-service not reachable at $URL (is ./latentqa up running?)"
status=${response##*$'\n'}
json=${response%$'\n'*}
if [[ $status != 200 ]]; then
  printf 'latentqa read: HTTP %s\n%s\n' "$status" "$json" >&2
  exit 1
fi
if [[ -n $raw ]] || ! command -v jq >/dev/null; then
  printf '%s\n' "$json"
else
  jq -r '"decoder: \(.adapter) (read after block \(.readLayer), \(.vectors) vectors)",
         (.answers[] | "\(.question)\n  -> \(.answer)  [\(.tokens | length) tokens, \(.stopReason)]")' <<<"$json"
fi
