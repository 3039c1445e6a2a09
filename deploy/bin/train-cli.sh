#!/usr/bin/env bash
# train-cli.sh: start a LIT training run on trainer-service and follow it with a progress bar.
#
#   train-cli.sh [--url URL] [--id RUN_ID] [--spec JSON | --spec-file FILE]   queue a run, then follow it
#   train-cli.sh [--url URL] --follow RUN_ID                                   follow a run that exists
#   train-cli.sh [--url URL] --resume RUN_ID                                   queue a failed or cancelled run
#                                                                              again (from its last checkpoint), follow it
#   train-cli.sh [--url URL] --extend RUN_ID --steps N                         train a succeeded constant-schedule
#                                                                              run on to N steps in all, follow it
#   train-cli.sh [--url URL] --publish RUN_ID --step N                         publish the adapter of the run's
#                                                                              checkpoint at step N as decoder-RUN_ID-step-N
#
# The spec is the run spec of POST /v1/runs (docs: trainer-service RunSpecParser), e.g.
#   '{"data": {"split": "eval", "kinds": ["control"], "limit": 64}, "hyperparameters": {"steps": 50, "batchSize": 4}}'
# Needs bash and curl. Exit status: 0 when the run succeeded (or the checkpoint was published), 1 when it failed
# or was cancelled (or trainer-service refused), 2 for a usage error.
set -euo pipefail

URL="http://127.0.0.1:${LATENTQA_TRAINER_PORT:-8084}"
ID=""
SPEC="{}"
FOLLOW=""
RESUME=""
EXTEND=""
STEPS=""
PUBLISH=""
STEP=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --url) URL="$2"; shift 2 ;;
    --id) ID="$2"; shift 2 ;;
    --spec) SPEC="$2"; shift 2 ;;
    --spec-file) SPEC="$(cat "$2")"; shift 2 ;;
    --follow) FOLLOW="$2"; shift 2 ;;
    --resume) RESUME="$2"; shift 2 ;;
    --extend) EXTEND="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --publish) PUBLISH="$2"; shift 2 ;;
    --step) STEP="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "train-cli: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ -z $STEPS || -n $EXTEND ]] || { echo "train-cli: --steps goes with --extend RUN_ID (a new run takes its steps from --spec)" >&2; exit 2; }
[[ -z $STEP || -n $PUBLISH ]] || { echo "train-cli: --step goes with --publish RUN_ID" >&2; exit 2; }

# field NAME JSON: a top-level scalar field of the run response (numbers, strings, null)
field() {
  local v
  v=$(printf '%s' "$2" | sed -n "s/.*\"$1\":\(\"[^\"]*\"\|[-0-9.eE+]*\|null\).*/\1/p" | head -n1)
  v=${v#\"}; printf '%s' "${v%\"}"
}

# post PATH BODY EXPECTED_CODE WHAT: POST a JSON body to trainer-service; on another status say the problem's
# detail ("the run was WHAT") and exit; sets $response to what it answers with
post() {
  local code
  response=$(curl -sS -w '\n%{http_code}' -H 'Content-Type: application/json' -d "$2" "$URL$1") \
    || { echo "train-cli: trainer-service is not reachable at $URL (start it with ./latentqa up)" >&2; exit 1; }
  code=${response##*$'\n'}
  response=${response%$'\n'*}
  if [[ $code != "$3" ]]; then
    echo "train-cli: the run was $4 ($code): $(field detail "$response")" >&2
    exit 1
  fi
}

if [[ -n $PUBLISH ]]; then
  [[ $STEP =~ ^[0-9]+$ ]] || { echo "train-cli: --publish RUN_ID needs --step N, the step of one of its checkpoints" >&2; exit 2; }
  post "/v1/runs/$PUBLISH/publish" "{\"step\": $STEP}" 200 "not published"
  echo "train-cli: adapter $(field adapterId "$response") at $(field adapterUri "$response") ($(field adapterDigest "$response")) published"
  exit 0
fi
if [[ -n $EXTEND ]]; then
  [[ $STEPS =~ ^[0-9]+$ ]] || { echo "train-cli: --extend RUN_ID needs --steps N, the run's new total of steps (a whole number)" >&2; exit 2; }
  post "/v1/runs/$EXTEND/extend" "{\"steps\": $STEPS}" 200 "not extended"
elif [[ -n $RESUME ]]; then
  post "/v1/runs/$RESUME/resume" "{}" 200 "not resumed"
elif [[ -z $FOLLOW ]]; then
  body="{\"spec\": $SPEC"
  [[ -n $ID ]] && body="$body, \"id\": \"$ID\""
  post /v1/runs "$body}" 201 "refused"
fi
if [[ -z $FOLLOW ]]; then
  FOLLOW=$(field id "$response")
  echo "train-cli: run $FOLLOW: $(field message "$response")"
fi

width=30
last_message=""
while true; do
  run=$(curl -sS "$URL/v1/runs/$FOLLOW") || { echo; echo "train-cli: lost trainer-service at $URL" >&2; exit 1; }
  status=$(field status "$run")
  step=$(field step "$run"); total=$(field totalSteps "$run")
  loss=$(field loss "$run"); tps=$(field tokensPerSecond "$run"); eta=$(field etaSeconds "$run")
  message=$(field message "$run")
  case "$status" in
    QUEUED)
      if [[ $message != "$last_message" ]]; then printf '\r\033[K%s' "queued: $message"; last_message=$message; fi ;;
    RUNNING|SUCCEEDED)
      if [[ -n $total && $total -gt 0 ]]; then
        filled=$(( step * width / total ))
        bar=$(printf '%*s' "$filled" '' | tr ' ' '#')$(printf '%*s' $(( width - filled )) '' | tr ' ' '.')
        printf '\r\033[K[%s] %d/%d  loss %s  %s tok/s  ETA %ss' "$bar" "$step" "$total" \
          "$(printf '%.4f' "${loss:-0}")" "$(printf '%.0f' "${tps:-0}")" "$(printf '%.0f' "${eta:-0}")"
      else
        printf '\r\033[K%s' "$message"
      fi ;;
  esac
  case "$status" in
    SUCCEEDED)
      echo
      echo "train-cli: $message"
      echo "train-cli: adapter $(field adapterId "$run") at $(field adapterUri "$run") ($(field adapterDigest "$run"))"
      echo "train-cli: report (loss-curve.png, report.json, fidelity.svg when the evaluation scored multiple choice) in $(field report "$run")"
      exit 0 ;;
    FAILED|CANCELLED)
      echo
      echo "train-cli: run $FOLLOW $status: $message" >&2
      exit 1 ;;
  esac
  sleep 1
done
