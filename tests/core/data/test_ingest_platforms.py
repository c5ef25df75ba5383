"""Each platform's export, in each encoding, lands in the canonical tables with the right values."""

from __future__ import annotations

import csv
import io

import pytest

from core.data import ingest
from core.data import service as data_service
from core.platform import secrets
from tests.conftest import FIXTURES, table, write_csv
from tests.xlsx import write_xlsx


def shopify_rows() -> list[dict]:
    """Two orders; the second line of #1001 leaves the order-level fields blank, as Shopify does."""
    return [
        {"Name": "#1001", "Email": "ann@example.com", "Financial Status": "paid", "Paid at": "2024-05-01 10:05:00 +0000",
         "Created at": "2024-05-01 10:00:00 +0000", "Total": "1,234.50", "Refunded Amount": "0", "Currency": "USD",
         "Lineitem quantity": "2", "Lineitem name": "Shirt", "Lineitem price": "$500.00", "Lineitem sku": "SH-1",
         "Lineitem discount": "0", "Source": "web"},
        {"Name": "#1001", "Lineitem quantity": "1", "Lineitem name": "Hat", "Lineitem price": "234.50", "Lineitem sku": "HT-1",
         "Lineitem discount": "0"},
        {"Name": "#1002", "Email": "bob@example.com", "Financial Status": "partially_refunded", "Created at": "2024-05-02 23:30:00 -0400",
         "Total": "99.00", "Refunded Amount": "20.00", "Currency": "USD", "Lineitem quantity": "1", "Lineitem name": "Mug",
         "Lineitem price": "99.00", "Lineitem sku": "MG-1", "Lineitem discount": "0", "Source": "pos"},
    ]


def shopify_csv(path, rows=None):
    header = (FIXTURES / "shopify_orders_export.header.csv").read_text().strip().split(",")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    for row in rows or shopify_rows():
        writer.writerow(row)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_shopify_full_export_lands_with_order_fields_copied_down(workspace, tmp_path):
    report = ingest.load(workspace, shopify_csv(tmp_path / "orders_export.csv"))
    assert report.kind == "orders"
    assert report.loaded_rows == 3
    rows = table(workspace, "select order_id, line_number, customer_id, order_total, unit_price, quantity, channel, order_time::varchar "
                            "from orders order by order_id, line_number")
    # e-mails as customer keys are stored as their pseudonyms (tests/core/data/test_personal.py checks them)
    ann, bob = (secrets.keys_for(workspace, create=False).pseudonym_of(e) for e in ("ann@example.com", "bob@example.com"))
    assert rows == [
        ("#1001", 1, ann, 1234.5, 500.0, 2.0, "web", "2024-05-01 10:00:00"),
        ("#1001", 2, ann, 1234.5, 234.5, 1.0, "web", "2024-05-01 10:00:00"),
        # the wall clock as exported: the -0400 offset is dropped, not converted
        ("#1002", 1, bob, 99.0, 99.0, 1.0, "pos", "2024-05-02 23:30:00"),
    ]
    notes = {note.column: note.count for note in report.cleaning if note.code == "cleaning.order_fields_filled"}
    assert notes["Email"] == 1 and notes["Total"] == 1
    # order revenue is the exported total net of refunds
    assert table(workspace, "select order_id, order_revenue from order_summary order by 1") == [("#1001", 1234.5), ("#1002", 79.0)]


def test_woocommerce_one_row_per_item(workspace, tmp_path):
    header = (FIXTURES / "woocommerce_orders_export.header.csv").read_text().strip().split(",")
    rows = [
        {"order_id": "501", "date": "2024-06-03 14:20:00", "status": "completed", "order_total": "45.00", "refunded_total": "0",
         "order_currency": "EUR", "customer_id": "17", "billing_email": "c@example.com", "billing_state": "BY",
         "item_name": "Tea", "item_sku": "T-1", "item_price": "15.00", "item_quantity": "3", "item_total": "45.00"},
        {"order_id": "502", "date": "2024-06-04 09:00:00", "status": "cancelled", "order_total": "10.00", "refunded_total": "0",
         "order_currency": "EUR", "customer_id": "18", "item_name": "Cup", "item_sku": "C-1", "item_price": "10.00",
         "item_quantity": "1", "item_total": "10.00"},
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "woo.csv"
    path.write_text(buffer.getvalue())
    report = ingest.load(workspace, path)
    assert report.kind == "orders"
    assert report.mapping["customer_id"] == "customer_id"  # the id beats billing_email
    assert table(workspace, "select order_id, customer_id, unit_price, quantity, currency, region from orders order by 1") == [
        ("501", "17", 15.0, 3.0, "EUR", "BY"), ("502", "18", 10.0, 1.0, "EUR", None)]
    assert table(workspace, "select order_id from order_summary where is_cancelled") == [("502",)]


TAOBAO = """
订单编号,买家会员名,订单创建时间,订单付款时间,买家应付货款,总金额,买家实际支付金额,订单状态,宝贝标题,宝贝总数量
="2024050112345678",小王,2024-05-01 10:00:00,2024-05-01 10:01:00,300.00,300.00,280.00,交易成功,夏季连衣裙,2
="2024050212345679",小李,2024/5/2 9:30,2024/5/2 9:31,"1,200.00","1,200.00","1,150.00",交易关闭,真皮手袋,1
"""


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_taobao_report_in_every_encoding(workspace, tmp_path, encoding):
    path = write_csv(tmp_path / "taobao.csv", TAOBAO, encoding)
    report = ingest.load(workspace, path)
    assert report.kind == "orders"
    rows = table(workspace, "select order_id, customer_id, order_time::varchar, order_total, quantity, unit_price, product_name "
                            "from orders order by 1")
    assert rows == [
        ("2024050112345678", "小王", "2024-05-01 10:00:00", 280.0, 2.0, 150.0, "夏季连衣裙"),
        ("2024050212345679", "小李", "2024-05-02 09:30:00", 1150.0, 1.0, 1200.0, "真皮手袋"),
    ]
    assert table(workspace, "select order_id from order_summary where is_cancelled") == [("2024050212345679",)]
    expected = {"gbk": "gb18030", "gb18030": "gb18030", "utf-16": "utf-16"}.get(encoding, encoding)
    assert report.encoding == expected


def test_a_taobao_report_names_no_currency_and_is_read_as_cny(workspace, tmp_path):
    report = ingest.load(workspace, write_csv(tmp_path / "taobao.csv", TAOBAO, "gbk"))
    assert report.implied_currency == "CNY"
    assert table(workspace, "select distinct currency from orders") == [("CNY",)]
    assert data_service.shop_currency(workspace) == "CNY"


def test_a_plain_file_without_a_currency_column_keeps_it_unknown(workspace, tmp_path):
    # edge case: Chinese headers, but not a Taobao report's own: no currency is invented
    path = write_csv(tmp_path / "orders.csv", "订单号,客户id,下单时间,订单金额\nA1,c1,2024-05-01 10:00,100\n")
    assert ingest.load(workspace, path).implied_currency is None
    assert data_service.shop_currency(workspace) is None


def test_traffic_report_with_chinese_headers_percent_strings_and_semicolons(workspace, tmp_path):
    path = write_csv(tmp_path / "traffic.csv", """
        日期;渠道;访客数;跳出率;加购率;支付订单数
        2024-05-01;搜索;1 200;62%;8.5%;30
        2024-05-02;搜索;"1,000";0.55;0.1;25
    """)
    report = ingest.load(workspace, path)
    assert report.kind == "traffic_daily" and report.delimiter == ";"
    assert table(workspace, "select date::varchar, channel, device, uv, bounce_rate, add_to_cart_rate, orders from traffic_daily order by 1") == [
        ("2024-05-01", "搜索", "all", 1200, 0.62, 0.085, 30), ("2024-05-02", "搜索", "all", 1000, 0.55, 0.1, 25)]


def test_traffic_counts_become_rates(workspace, tmp_path):
    # bounces and add-to-cart counts instead of rates
    path = write_csv(tmp_path / "traffic.csv", """
        date,source,sessions,bounces,add to carts
        05/01/2024,google,200,50,20
    """)
    ingest.load(workspace, path)
    assert table(workspace, "select date::varchar, channel, uv, bounce_rate, add_to_cart_rate from traffic_daily") == [
        ("2024-05-01", "google", 200, 0.25, 0.1)]


def test_marketing_spend_months_and_money(workspace, tmp_path):
    path = write_csv(tmp_path / "spend.csv", """
        月份,渠道,花费,成交金额,点击量
        2024年5月,直通车,¥12000,"¥30,000.00",5000
        2024-06,直通车,"9.500,50",20000,4000
    """)
    report = ingest.load(workspace, path)
    assert report.kind == "marketing_spend"
    assert table(workspace, "select period_start::varchar, spend, attributed_revenue from marketing_spend order by 1") == [
        ("2024-05-01", 12000.0, 30000.0), ("2024-06-01", 9500.5, 20000.0)]


def test_experiment_users_are_aggregated_per_variant_and_day(workspace, tmp_path):
    path = write_csv(tmp_path / "users.csv", """
        experiment,variant,user_id,converted,revenue,date
        hero,A,u1,1,10,2024-05-01
        hero,A,u2,0,0,2024-05-01
        hero,B,u3,yes,30,2024-05-01
        hero,B,u4,是,20,2024-05-01
        hero,B,u5,no,0,2024-05-01
    """)
    report = ingest.load(workspace, path)
    assert report.kind == "experiment_users"
    assert table(workspace, "select variant, users, conversions, revenue, revenue_sq from experiments order by 1") == [
        ("A", 2, 1, 10.0, 100.0), ("B", 3, 2, 50.0, 1300.0)]


def test_xlsx_inventory(workspace, tmp_path):
    path = write_xlsx(tmp_path / "stock.xlsx", [["SKU", "库存", "成本", "类目"], ["A-1", 10, 12.5, "鞋"], ["A-2", 0, "8", "包"]])
    report = ingest.load(workspace, path)
    assert report.kind == "inventory" and report.file_type == "xlsx"
    assert table(workspace, "select sku, stock_on_hand, unit_cost, category from inventory order by 1") == [
        ("A-1", 10, 12.5, "鞋"), ("A-2", 0, 8.0, "包")]


def test_funnel_and_health_inputs(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "funnel.csv", """
        step,stage,users
        1,home,1000
        2,checkout,400
    """))
    ingest.load(workspace, write_csv(tmp_path / "health.csv", """
        指标,数值,周期
        first_screen_load_seconds,3.2,2024-05
    """))
    assert table(workspace, "select step, stage, users, segment from funnel_stages order by 1") == [(1, "home", 1000, "all"), (2, "checkout", 400, "all")]
    assert table(workspace, "select metric, value, period from health_inputs") == [("first_screen_load_seconds", 3.2, "2024-05")]
