"""Assisted coding: coding sheets, a coder learnt from coded answers, agreement, codebook files.

>>> sheet = coding_sheet_frame(ids, masked_texts, codebook.names)        # doctest: +SKIP
>>> write_sheet_xlsx(sheet, "codage.xlsx", codebook=codebook)            # doctest: +SKIP
>>> coded = read_coded("codage.xlsx", codes=codebook.names, ids=ids)     # doctest: +SKIP
>>> coder = MultiLabelCoder(target_precision=0.8).fit(terms, coded)      # doctest: +SKIP
>>> rows = select_next(coder.predict_proba(uncoded), answer_vectors(uncoded), 50)  # doctest: +SKIP
>>> save_coder(coder, "codeur/"); load_coder("codeur/").coder             # doctest: +SKIP
"""

from textmine.coding.active import answer_vectors, select_next
from textmine.coding.agreement import (
    ALL_CODES,
    coder_agreement,
    cohen_kappa,
    krippendorff_alpha,
    model_agreement,
    percent_agreement,
)
from textmine.coding.curve import learning_curve
from textmine.coding.interchange import (
    codebook_frame,
    codebook_to_qdc,
    codebook_to_yaml,
    convert_codebook,
    parse_qdc,
    read_codebook,
    write_codebook,
)
from textmine.coding.learn import (
    AnswerTerms,
    MultiLabelCoder,
    review_queue,
    uncertainty,
    with_embeddings,
)
from textmine.coding.persist import SavedCoder, load_coder, save_coder
from textmine.coding.sheet import (
    coding_sheet_frame,
    read_coded,
    write_sheet_csv,
    write_sheet_xlsx,
)

__all__ = [
    "ALL_CODES",
    "AnswerTerms",
    "MultiLabelCoder",
    "answer_vectors",
    "SavedCoder",
    "codebook_frame",
    "codebook_to_qdc",
    "codebook_to_yaml",
    "coder_agreement",
    "convert_codebook",
    "coding_sheet_frame",
    "cohen_kappa",
    "krippendorff_alpha",
    "learning_curve",
    "load_coder",
    "model_agreement",
    "parse_qdc",
    "percent_agreement",
    "read_codebook",
    "read_coded",
    "review_queue",
    "save_coder",
    "select_next",
    "uncertainty",
    "with_embeddings",
    "write_codebook",
    "write_sheet_csv",
    "write_sheet_xlsx",
]
