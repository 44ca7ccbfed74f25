#!/bin/sh
# Start-up of the app container: bring the database up to date, collect static
# files, load the seed collection (idempotent), then hand over to gunicorn.
set -eu

python manage.py migrate --noinput
python manage.py collectstatic --noinput --verbosity 0
python manage.py load_seed

exec gunicorn readingroom.wsgi \
    --config deploy/gunicorn.conf.py \
    --bind 0.0.0.0:8000 \
    --access-logfile -
