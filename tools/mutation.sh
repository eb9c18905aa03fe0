#!/usr/bin/env bash
# Mutation testing of the code that protects customers (docs/mutation.md). Not part of CI.
#
#   tools/mutation.sh                        every module listed in [tool.mutmut] only_mutate
#   tools/mutation.sh assistant/kpis.py ...  only these modules: the mutants not run yet and
#                                            the survivors not listed as equivalent
#   ALL=1 tools/mutation.sh assistant/kpis.py  every mutant of these modules again
#   tools/mutation.sh 'assistant.money.x_parse_amount__mutmut_2' ...  only these mutants (names
#                                            as the report prints them; after a new test)
#   JOBS=1 tools/mutation.sh                 one test process instead of two
#   EXAMPLES=100 tools/mutation.sh ...       hypothesis examples per property test (default 10;
#                                            a normal pytest run draws what each test asks)
#   EQUIVALENTS=1 tools/mutation.sh ...     also the mutants listed as equivalent (which a run
#                                            leaves out while their line is unchanged), to check
#                                            the list: each must survive
#   RESTATS=1 tools/mutation.sh ...          trace every selected test again first (verdicts are
#                                            kept): mutmut maps a function only to the tests that
#                                            are new when it traces, so a function added later
#                                            shows "no test" and a test extended later is not
#                                            linked to the functions it now reaches
#
# mutmut keeps its results in mutants/ per function: a later run re-tests only the functions
# that changed. Changing the [tool.mutmut] section of pyproject.toml starts again from scratch.
# It runs under `nice`: the machine is shared. The scores are printed at the end; to update
# docs/mutation.md with them: python tools/mutation_report.py --write docs/mutation.md
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${VIRTUAL_ENV:-}" ] && [ -f .venv/bin/activate ]; then
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi
if ! python -c "import mutmut" 2> /dev/null; then
  pip install -q -e '.[test,mutation]'
fi

fingerprint="$(python tools/mutation_report.py --config-hash)"
if [ -d mutants ] && [ "$(cat mutants/.relance-config 2> /dev/null)" != "$fingerprint" ]; then
  echo "the [tool.mutmut] configuration changed: starting from scratch"
  rm -rf mutants
fi
mkdir -p mutants
echo "$fingerprint" > mutants/.relance-config
if [ -n "${RESTATS:-}" ] && [ -f mutants/mutmut-stats.json ]; then
  mv mutants/mutmut-stats.json mutants/mutmut-stats.json.before  # mutmut then traces every test
fi
python tools/mutation_report.py --sync-copies

if [ -n "${EQUIVALENTS:-}" ]; then
  export RELANCE_MUTATION_EQUIVALENTS=1  # read by tools/mutmut_run.py and --todo
fi

# With modules: only their mutants not run yet, or that survived without being listed as
# equivalent (mutmut re-runs every mutant it is given by name, cached or not). ALL=1: every one.
patterns=()
for arg in "$@"; do
  if [[ "$arg" == *.py && -n "${ALL:-}" ]]; then
    dotted="${arg%.py}"
    patterns+=("${dotted//\//.}.*")
  elif [[ "$arg" == *.py ]]; then
    mapfile -t -O "${#patterns[@]}" patterns < <(python tools/mutation_report.py --todo "$arg")
  else # a mutant's name (or a pattern of names), as the report prints them
    patterns+=("$arg")
  fi
done
if [ "$#" -gt 0 ] && [ "${#patterns[@]}" -eq 0 ]; then
  echo "nothing left to run in: $*"
  python tools/mutation_report.py
  exit 0
fi

# Property tests draw at most this many examples (tests/support/examples.py): each surviving
# mutant re-runs every test reaching its function, and the property tests were ~40 % of that.
export RELANCE_MUTATION_EXAMPLES="${EXAMPLES:-10}"

start=$(date +%s)
nice -n 19 python tools/mutmut_run.py run --max-children "${JOBS:-2}" "${patterns[@]}"
echo "mutation run: $(($(date +%s) - start)) s"
python tools/mutation_report.py
