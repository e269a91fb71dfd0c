# shellcheck shell=bash
# The detector of raw values on a Japanese screen (issue 13, "Japanese all the
# way"), shared by tests/e2e/test_japanese_screens.sh and the day's tests
# (tests/lib/day.sh). Needs t_fail and t_ok (tests/lib/tmux.sh).
#   raw_words <TEXT            prints the raw enum keys / English words found
#   check_text WHAT TEXT       fails when TEXT shows one, or JSON ({"...)
#   check_screen WHAT          check_text on the current tmux screen

# The raw keys a person must never read in Japanese (whole words).
RAW='waiting|queued|held|running|succeeded|failed|skipped|cancelled|interrupted|early|late|sunday'
RAW+='|operator|engineer|manager|yes|no|low|medium|high|draft|received|isolated|escalated'
RAW+='|first_response|second_response|recovered|closed|reopened|assigned|paused|resumed|notified'
RAW+='|sla_breached|planned|in_review|returned|approved|in_progress|done|rolled_back|step_done'
RAW+='|phone|mail|alert|visit|rounds|network|server|software|hardware|security|other|backup'
RAW+='|proxy|file|created|incident|change|ssh_session|assignee|paused_seconds|ok|ng|skip|todo'
RAW+='|checklist|incidents|inquiries|problems|jobs|changes|management|reports'
raw_words() { # prints the raw words of stdin (host names like lib-file01 are not words;
    # a command line to type, "unyo jobs load", is not a label)
    sed -E 's/unyo( [a-z-]+)+//g' | grep -oE "(^|[^A-Za-z0-9_.-])($RAW)([^A-Za-z0-9_.-]|$)" | sed -E 's/^[^A-Za-z_]//; s/[^A-Za-z_]$//' |
        sort -u | tr '\n' ' '
}
check_text() { # WHAT TEXT
    local words
    words=$(printf '%s\n' "$2" | raw_words)
    [[ -z $words ]] || { printf '%s\n' "$2" >&2; t_fail "$1 shows raw values: $words"; }
    case "$2" in *'{"'*) printf '%s\n' "$2" >&2; t_fail "$1 shows JSON" ;; esac
    t_ok "$1: nothing raw"
}
check_screen() { check_text "$1" "$(t_screen)"; }
