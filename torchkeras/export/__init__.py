"""``keras.export``: ExportArchive over ``torch.export`` (the format of ``model.export``)."""
from torchkeras.export.export_archive import ExportArchive

__all__ = ["ExportArchive"]
