#!/usr/bin/env bash
# Mutation testing of the code that protects customers (docs/mutation.md). Not part of CI.
#
#   tools/mutation.sh                        every module listed in [tool.mutmut] only_mutate
#   tools/mutation.sh assistant/kpis.py ...  only these modules (re-tests all their mutants)
#   JOBS=1 tools/mutation.sh                 one test process instead of two
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

patterns=()
for module in "$@"; do
  dotted="${module%.py}"
  patterns+=("${dotted//\//.}.*")
done

start=$(date +%s)
nice python tools/mutmut_run.py run --max-children "${JOBS:-2}" "${patterns[@]}"
echo "mutation run: $(($(date +%s) - start)) s"
python tools/mutation_report.py
