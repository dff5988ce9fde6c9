"""SECOP II onboarding workflow engine: diagrams in, durable instances out (no Flask here)."""

from engine.actors import Actor
from engine.config import EngineConfig
from engine.runner import Runner

__all__ = ["Actor", "EngineConfig", "Runner"]
