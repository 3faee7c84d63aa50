import pytest

from torchkeras.saving import archive
from torchkeras.saving.weights_io import WeightsFileError


@pytest.mark.parametrize("zipped", [True, False])
def test_write_then_read_both_forms(tmp_path, zipped):
    asset = tmp_path / "vocab.txt"
    asset.write_bytes(b"a\nb\n")
    path = str(tmp_path / ("m.keras" if zipped else "m_folder"))
    archive.write_archive(path, {archive.CONFIG: b'{"class_name": "X"}'},
                          [("assets/layer/vocab.txt", str(asset))], zipped=zipped)
    with archive.open_archive(path, "Model file %r" % path) as reader:
        assert reader.has(archive.CONFIG) and not reader.has(archive.WEIGHTS)
        assert reader.read(archive.CONFIG) == b'{"class_name": "X"}'
        assert reader.size(archive.CONFIG) == 19
        assert reader.asset_names() == ["assets/layer/vocab.txt"]
        with pytest.raises(ValueError, match="larger than|more than the 3 allowed"):
            reader.read(archive.CONFIG, limit=3)
        with pytest.raises(ValueError, match="holds no weights"):
            archive.load_archive_weights(None, reader, skip_mismatch=False)


def test_not_a_zip_is_the_callers_error(tmp_path):
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"not a zip")
    with pytest.raises(WeightsFileError, match="not a valid `.keras` archive"):
        archive.load_weights_from_archive(None, str(bad))
