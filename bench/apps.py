from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's synthetic archive (``generate_corpus``); no models, no pages."""

    name = "bench"
    verbose_name = "Benchmark"
