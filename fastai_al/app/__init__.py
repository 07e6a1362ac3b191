"The labelling app, `fastai_al_label FOLDER --classes a,b,c`: the store (SQLite), image checks, the session, the page and the routes (hand-written, like `fastai_al.all`: the modules are exported from nbs/69-76_app.*)."
from .store import *
from .queue import *
from .images import *
from .session import *
from .views import *
from .web import *
# `fastai_al.app.rounds` (torch, fastai, the library's loop) is loaded by the session in the background, not here
