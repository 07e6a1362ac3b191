"The one way to run: `RunSpec` → `Experiment` → `run_sweep` on an engine; `from fastai_al.runs import RunSpec, run_sweep` (hand-written, like `fastai_al.strategies`)."
from .experiment import *
from .registry import *
from .spec import *
from .engines import *
from .report import *
from .sweep import *
