"""Flask extensions, created unbound and attached in ``create_app`` (no app state here)."""

from __future__ import annotations

from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from engine.db import Base

db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Ingrese con su usuario y contraseña para continuar."
login_manager.login_message_category = "info"
