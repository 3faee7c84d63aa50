"""Context managers of the ``keras`` top level: name_scope, device, remat, state scopes."""
from torchkeras.scopes.device_scope import device
from torchkeras.scopes.name_scope import current_path, name_scope
from torchkeras.scopes.remat import RematScope, active_remat_scope, remat
from torchkeras.scopes.stateless_scope import StatelessScope, SymbolicScope, in_symbolic_scope

__all__ = ["RematScope", "StatelessScope", "SymbolicScope", "active_remat_scope",
           "current_path", "device", "in_symbolic_scope", "name_scope", "remat"]
