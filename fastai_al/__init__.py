__version__ = "0.0.1"

import warnings
# fastai's own import calls `torch.jit.script`, deprecated since torch 2.14: nothing a fastai_al user can act on
warnings.filterwarnings('ignore', message=r'`torch.jit.script` is deprecated', category=FutureWarning)
