"`python -m fastai_al.app FOLDER --classes a,b,c`: the same as the `fastai_al_label` command."
from .web import fastai_al_label
fastai_al_label()
