from django.apps import AppConfig


class NetworkConfig(AppConfig):
    """Who wrote to whom (issue 16): the correspondence drawn as a graph; no models."""

    name = "network"
    verbose_name = "Network"
