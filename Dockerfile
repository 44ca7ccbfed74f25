# Reading Room application image: gunicorn serving Django, static files by WhiteNoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them: exactly the
# locked versions (requirements/run.txt, `make lock`), each file checked against
# its hash. (The project itself is not a Python package: the code runs from /app.)
COPY requirements/run.txt requirements/run.txt
RUN pip install --require-hashes --no-deps -r requirements/run.txt

COPY . .
RUN useradd --system --create-home --uid 10001 readingroom \
    && mkdir -p var \
    && chown -R readingroom:readingroom var \
    && chmod 0755 bin/docker-entrypoint.sh
USER readingroom

EXPOSE 8000
CMD ["bin/docker-entrypoint.sh"]
