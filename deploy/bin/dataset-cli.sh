#!/usr/bin/env bash
# dataset-cli.sh: run dataset-service jobs from a terminal, with a progress bar (docs/dataset-service.md).
#
#   dataset-cli.sh [--url URL] [--no-wait] TYPE [key=value ...]   submit a job and follow it
#   dataset-cli.sh [--url URL] watch JOB_ID                        follow a job
#   dataset-cli.sh [--url URL] status JOB_ID                       print a job as JSON
#   dataset-cli.sh [--url URL] cancel JOB_ID                       cancel a job
#   dataset-cli.sh [--url URL] jobs                                list recent jobs
#
# TYPE: import-latentqa | generate-controls | generate-dialogs | generate-qa | pair-stimuli | split
# key=value pairs become the job's params. A value that is a number, true, false, or starts with [ or { is
# sent as JSON; anything else as a string. Examples:
#   dataset-cli.sh import-latentqa files=eval/control.json,eval/qa.json
#   dataset-cli.sh generate-controls count=200 seed=1
#   dataset-cli.sh generate-dialogs controlSource=grammar 'settings={"maxTokens":64}' layers=[3]
#   dataset-cli.sh generate-qa method=template kind=story
#   dataset-cli.sh split seed=7 train=0.8 eval=0.1
#
# The service URL: --url, else $LATENTQA_DATASET_URL, else http://127.0.0.1:${LATENTQA_DATASET_PORT:-8085}.
# Exit status: 0 when the job succeeded, 1 when it failed or was cancelled, 2 on usage or HTTP errors.
# Ctrl-C stops following; the job keeps running (cancel it with: dataset-cli.sh cancel JOB_ID).
set -euo pipefail

url="${LATENTQA_DATASET_URL:-http://127.0.0.1:${LATENTQA_DATASET_PORT:-8085}}"
wait=1

usage() {
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

die() {
    echo "dataset-cli: $*" >&2
    exit 2
}

command -v curl >/dev/null || die "curl is needed"

while [[ $# -gt 0 ]]; do
    case "$1" in
        --url) [[ $# -ge 2 ]] || usage; url="$2"; shift 2 ;;
        --no-wait) wait=0; shift ;;
        -h|--help|help) usage ;;
        *) break ;;
    esac
done
[[ $# -ge 1 ]] || usage
url="${url%/}"

# http METHOD PATH [BODY]: prints the body; on an HTTP error prints the problem detail and exits 2
http() {
    local method="$1" path="$2" body="${3:-}" out status
    out=$(mktemp)
    if [[ -n "$body" ]]; then
        status=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" -H 'Content-Type: application/json' \
            --data-binary "$body" "$url$path") || { rm -f "$out"; die "cannot reach dataset-service at $url"; }
    else
        status=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$url$path") \
            || { rm -f "$out"; die "cannot reach dataset-service at $url"; }
    fi
    if [[ "$status" -ge 400 ]]; then
        local detail
        detail=$(sed -n 's/.*"detail":"\(\([^"\\]\|\\.\)*\)".*/\1/p' "$out")
        rm -f "$out"
        die "HTTP $status: ${detail:-$method $path failed}"
    fi
    cat "$out"
    rm -f "$out"
}

pretty() {
    if command -v jq >/dev/null; then jq "${1:-.}"; else cat; echo; fi
}

# json_string TEXT: TEXT as a JSON string literal
json_string() {
    local s="$1"
    s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/\\t}; s=${s//$'\n'/\\n}
    printf '"%s"' "$s"
}

# params key=value ...: a JSON object
params() {
    local json="{" first=1 pair key value
    for pair in "$@"; do
        [[ "$pair" == *=* ]] || die "expected key=value, got '$pair'"
        key="${pair%%=*}"; value="${pair#*=}"
        if [[ "$value" =~ ^-?[0-9]+(\.[0-9]+)?$ || "$value" == true || "$value" == false || "$value" == \[* || "$value" == \{* ]]; then
            :
        else
            value=$(json_string "$value")
        fi
        [[ $first -eq 1 ]] || json+=","
        json+="$(json_string "$key"):$value"
        first=0
    done
    printf '%s}' "$json"
}

field() { # field NAME JSON: the first string or number field of that name
    grep -o "\"$1\":\"\{0,1\}[^\",}]*" <<<"$2" | head -1 | sed "s/^\"$1\":\"\{0,1\}//"
}

progress_of() { # prints "done total errors"
    local p
    p=$(grep -o '"progress":{[^}]*}' <<<"$1" | head -1)
    printf '%s %s %s\n' "$(field done "{$p")" "$(field total "{$p")" "$(field errors "{$p")"
}

draw() { # draw STATUS DONE TOTAL ERRORS
    local status="$1" done="$2" total="$3" errors="$4" width=40 filled=0 percent=0 bar
    if [[ "$total" -gt 0 ]]; then
        percent=$(( done * 100 / total ))
        filled=$(( done * width / total ))
    fi
    bar=$(printf '%*s' "$filled" '' | tr ' ' '#')$(printf '%*s' $(( width - filled )) '' | tr ' ' '.')
    if [[ -t 2 ]]; then
        printf '\r[%s] %3d%%  %d/%d  errors %d  %-9s' "$bar" "$percent" "$done" "$total" "$errors" "$status" >&2
    else
        printf '[%s] %3d%%  %d/%d  errors %d  %s\n' "$bar" "$percent" "$done" "$total" "$errors" "$status" >&2
    fi
}

watch_job() {
    local id="$1" job status done total errors last=""
    trap 'echo >&2; echo "dataset-cli: stopped following; job $id keeps running (cancel: $0 cancel $id)" >&2; exit 130' INT
    while true; do
        job=$(http GET "/v1/jobs/$id")
        status=$(field status "$job")
        read -r done total errors < <(progress_of "$job")
        if [[ -t 2 || "$status $done $errors" != "$last" ]]; then
            draw "$status" "${done:-0}" "${total:-0}" "${errors:-0}"
            last="$status $done $errors"
        fi
        case "$status" in
            SUCCEEDED|FAILED|CANCELLED) break ;;
        esac
        sleep 0.5
    done
    [[ -t 2 ]] && echo >&2
    echo "job $id $status"
    if command -v jq >/dev/null; then
        jq -r 'if .message then "message: " + .message else empty end' <<<"$job"
        jq '{result: .result}' <<<"$job"
        jq -r 'if (.errors | length) > 0 then "first errors:", (.errors[:10][] | tostring) else empty end' <<<"$job"
    else
        echo "$job"
    fi
    [[ "$status" == SUCCEEDED ]]
}

case "$1" in
    status) [[ $# -eq 2 ]] || usage; http GET "/v1/jobs/$2" | pretty ;;
    cancel) [[ $# -eq 2 ]] || usage; http POST "/v1/jobs/$2/cancel" | pretty '{id, status, message}' ;;
    jobs) http GET "/v1/jobs?limit=20" | pretty '[.[] | {id, type, status, progress, createdAt}]' ;;
    watch) [[ $# -eq 2 ]] || usage; watch_job "$2" || exit 1 ;;
    import-latentqa|generate-controls|generate-dialogs|generate-qa|split)
        type="$1"; shift
        body="{\"type\":\"$type\",\"params\":$(params "$@")}"
        job=$(http POST /v1/jobs "$body")
        id=$(field id "$job")
        echo "job $id ($type) queued" >&2
        if [[ $wait -eq 1 ]]; then watch_job "$id" || exit 1; else echo "$id"; fi
        ;;
    *) die "unknown command '$1': a job type (import-latentqa, generate-controls, generate-dialogs, generate-qa, split) or status, watch, cancel, jobs" ;;
esac
