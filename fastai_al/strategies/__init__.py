"Every sampling strategy, registered: importing any part of `fastai_al.strategies` imports them all (hand-written, like `fastai_al.all`)."
from .core import *
from .bayesian import *
from .diversity import *
from .mixed import *
from .advanced import *
from .batch import *
