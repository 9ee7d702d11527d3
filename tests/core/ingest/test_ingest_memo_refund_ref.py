"""NetSuite's free-text Memo: only a processor id it contains becomes the refund reference."""

from workbench.core.ingest import read_file

HEADER = "Internal ID,Document Number,Date,Date Created,Reference No.,Memo,Customer,Email,Amount,Currency,Status,Created By,Class,Integration\n"


def test_memo_gives_only_processor_ids(tmp_path):
    rows = [
        ("1", "CM1001", "Refund re_3NxAbC123, via Loop"),
        ("2", "CM1002", "Return credit"),
        ("3", "CM1003", "Adyen 8835511210681223"),
        ("4", "CM1004", ""),
    ]
    body = "".join(f'{i},{doc},10/3/2026,10/3/2026 2:05 pm,LOOP-84213,"{memo}",Ann,ann@example.com,99.99,USD,'
                   f"Credit Memo:Fully Applied,jdoe,Online,Loop NetSuite Connector 2.4.1\n" for i, doc, memo in rows)
    path = tmp_path / "netsuite_credit_memos.csv"
    path.write_text(HEADER + body)
    parsed = read_file(path, business_tz="America/New_York")
    refs = dict(zip(parsed.records["record_id"], parsed.records["refund_ref"].fillna("")))
    assert refs == {"CM1001": "re_3NxAbC123", "CM1002": "", "CM1003": "8835511210681223", "CM1004": ""}
    assert any("Memo" in d and "no refund ref" in d for d in parsed.report["decisions"])
