# One image for the web processes (gunicorn) and the Celery workers: see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DATA_DIR=/data STATIC_ROOT=/app/static \
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files (admin, API docs) are collected into the image and served by whitenoise.
RUN python manage.py collectstatic --no-input -v0 \
    && useradd --create-home --uid 1000 recsite \
    && mkdir -p /data && chown recsite /data
USER recsite

EXPOSE 8000
CMD ["gunicorn", "recsite.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", \
     "--access-logfile", "-"]
