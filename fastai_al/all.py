"Everything in fastai_al, and every strategy registered: `from fastai_al.all import *` (hand-written, like fastai's `all.py`)."
from fastai.basics import *
from .files import *
from .pool import *
from .data.core import *
from .data.mnist import *
from .data.droughtwatch import *
from .data.images import *
from .data.cassava import *
from .data.deepweeds import *
from .data.folder import *
from .data.dls import *  # ActiveDataLoaders.from_dls, ALData.from_dls
from .data.features import *
from .models.cnn import *
from .models.resnet import *
from .models.frozen import *
from .scoring import *
from .fit import *
from .strategies import *  # every strategy, registered
from .callbacks import *
from .learner import *
from .analysis import *
from .stats import *
from .runs.experiment import *
from .runs.registry import *
from .runs.spec import *
from .runs.engines import *
from .runs.report import *
from .runs.sweep import *
from .studies.gal2017 import *
from .distributed import *
from .tracking import *
from .labelstudio import *
# the labelling app is not in here: `from fastai_al.app import LabelSession, label_app` (or the `fastai_al_label` command)
try: from .modal_bridge import *  # needs the optional `modal` extra (modAL)
except ImportError: pass
