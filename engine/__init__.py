"""SECOP II onboarding workflow engine: diagrams in, durable instances out (no Flask here)."""

from engine.actors import Actor
from engine.config import EngineConfig
from engine.registry import Domain
from engine.registry import Registry
from engine.runner import Runner

__all__ = ["Actor", "Domain", "EngineConfig", "Registry", "Runner"]
