# shellcheck shell=bash
# Sourced by entrypoint.sh: chooses the databases for the run. CI service containers arrive as
# GITHUB_DATABASE_POSTGRESQL / _MONGODB / _REDIS and win; otherwise the *_URL variables already
# set (docker compose) are used; an unset one makes `make test` start an embedded server.
# Prints which variables are set, never their values (they carry credentials).

export POSTGRESQL_URL="${GITHUB_DATABASE_POSTGRESQL:-${POSTGRESQL_URL:-}}"
export MONGO_URL="${GITHUB_DATABASE_MONGODB:-${MONGO_URL:-}}"
export REDIS_URL="${GITHUB_DATABASE_REDIS:-${REDIS_URL:-}}"

for ci_env_name in POSTGRESQL_URL MONGO_URL REDIS_URL; do
    if [[ -n "${!ci_env_name}" ]]; then
        echo "ci.env: ${ci_env_name} is set"
    else
        unset "${ci_env_name}"
        echo "ci.env: ${ci_env_name} is not set: the suite starts an embedded server"
    fi
done
unset ci_env_name
