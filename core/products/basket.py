"""Bought together: which products land in the same order more often than chance, for bundles and
cross-sell ("phone + phone case"). The counting is done in DuckDB (products/basket_rules.sql); this module
reads the small table of rules it returns and picks partners, bundles and cross-sell suggestions from it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.platform import queries
from core.platform.i18n import translate
from core.platform.workspace import Workspace

DEFAULT_MIN_SUPPORT = 0.002  # a pair in 1 order of 500: rare enough to find niche pairs, common enough to matter
DEFAULT_MIN_CONFIDENCE = 0.1  # one antecedent order in ten also holds the consequent
MIN_MULTI_PRODUCT_ORDERS = 20  # fewer orders of two or more products make rules that are mostly chance
MIN_ORDERS_TOGETHER = 5  # a bundle or cross-sell suggestion rests on at least this many orders
NEEDS_PRODUCTS = "products.basket.needs_products"
TOO_FEW_BASKETS = "products.basket.too_few_baskets"
RULE_COLUMNS = ("antecedent", "consequent", "antecedent_name", "consequent_name", "count_orders_together",
                "count_antecedent_orders", "count_consequent_orders", "support", "confidence", "lift")
BUNDLE_COLUMNS = ("product_a", "product_b", "product_a_name", "product_b_name", "count_orders_together", "support",
                  "lift", "confidence_a_to_b", "confidence_b_to_a")


@dataclass(frozen=True)
class Rules:
    orders: int  # the base: non-cancelled orders with at least one line naming a product (SKU, else name)
    multi_product_orders: int  # of those, orders holding two or more different products
    min_support: float
    min_confidence: float
    table: pd.DataFrame  # RULE_COLUMNS, one row per rule A -> B, strongest lift first; empty when `missing`
    missing: str | None  # why there are no rules to show (catalog key), None when they were worked out

    @property
    def missing_params(self) -> dict:
        """The figures the reason's text names."""
        return {"orders": self.multi_product_orders, "needed": MIN_MULTI_PRODUCT_ORDERS} if self.missing == TOO_FEW_BASKETS else {}

    def to_json(self) -> dict:
        """The CLI's answer: the base and each rule, plain numbers only; `missing` only when there is a reason."""
        answer = {"orders": self.orders, "rules": [
            {"antecedent": row.antecedent, "consequent": row.consequent, "support": float(row.support),
             "confidence": float(row.confidence), "lift": float(row.lift), "orders_together": int(row.count_orders_together)}
            for row in self.table.itertuples(index=False)]}
        if self.missing:
            answer["missing"] = self.missing
        return answer

    def partners(self, product: str, top: int = 10) -> pd.DataFrame:
        """The products most often bought with `product` (its rules product -> partner), strongest lift first."""
        return self.table[self.table["antecedent"] == product].head(top).reset_index(drop=True)

    def bundles(self, top: int = 10, min_orders_together: int = MIN_ORDERS_TOGETHER) -> pd.DataFrame:
        """Pairs worth selling as a bundle: bought together more than chance (lift above 1) in enough orders,
        and mutual (each side's rule meets the minimum confidence, so neither product is just a frequent
        add-on to everything). Strongest lift first, and each product in one bundle only, so the
        suggestions do not compete for the same stock or shelf."""
        reverse = self.table.set_index(["antecedent", "consequent"])["confidence"]
        chosen, used = [], set()
        for row in self.table.itertuples(index=False):
            if len(chosen) >= top:
                break
            if (row.antecedent > row.consequent or row.lift <= 1 or row.count_orders_together < min_orders_together
                    or row.antecedent in used or row.consequent in used
                    or (row.consequent, row.antecedent) not in reverse.index):
                continue
            used |= {row.antecedent, row.consequent}
            chosen.append((row.antecedent, row.consequent, row.antecedent_name, row.consequent_name,
                           int(row.count_orders_together), float(row.support), float(row.lift), float(row.confidence),
                           float(reverse[(row.consequent, row.antecedent)])))
        return pd.DataFrame(chosen, columns=list(BUNDLE_COLUMNS))


@dataclass(frozen=True)
class Suggestion:
    """Customers who bought `product` often added `partner`: what to offer a customer who has the first."""
    product: str
    partner: str
    product_name: str  # the name the orders give, else the SKU
    partner_name: str
    confidence: float  # share of orders with the product that also hold the partner
    lift: float
    orders_together: int

    def text(self, lang: str = "en") -> str:
        return translate("products.basket.cross_sell_line", lang, product=self.product_name,
                         partner=self.partner_name, percent=round(self.confidence * 100))


@dataclass(frozen=True)
class CrossSell:
    suggestions: tuple[Suggestion, ...]  # best first; empty when `missing` or when no pair is strong enough
    missing: str | None  # catalog key, as in Rules.missing
    missing_params: dict


def rules(workspace: Workspace, min_support: float = DEFAULT_MIN_SUPPORT, min_confidence: float = DEFAULT_MIN_CONFIDENCE,
          min_multi_product_orders: int = MIN_MULTI_PRODUCT_ORDERS) -> Rules:
    """The rules one product -> one product meeting both minimums (shares, 0 to 1), strongest lift first."""
    found = queries.frame(workspace, "products/basket_rules", min_support=float(min_support),
                          min_confidence=float(min_confidence))
    orders, multi = int(found["orders"].iloc[0]), int(found["multi_product_orders"].iloc[0])
    table = found[found["antecedent"].notna()][list(RULE_COLUMNS)].reset_index(drop=True)
    table = table.astype({"count_orders_together": "int64", "count_antecedent_orders": "int64",
                          "count_consequent_orders": "int64", "support": "float64", "confidence": "float64",
                          "lift": "float64"})
    for side in ("antecedent", "consequent"):
        table[f"{side}_name"] = table[f"{side}_name"].fillna(table[side])  # a product without a name: its SKU
    missing = NEEDS_PRODUCTS if orders == 0 else TOO_FEW_BASKETS if multi < min_multi_product_orders else None
    if missing:
        table = table.head(0)
    return Rules(orders, multi, float(min_support), float(min_confidence), table, missing)


def partners(workspace: Workspace, product: str, min_support: float = DEFAULT_MIN_SUPPORT,
             min_confidence: float = DEFAULT_MIN_CONFIDENCE, top: int = 10) -> pd.DataFrame:
    """The top partners of one product (RULE_COLUMNS with it as antecedent)."""
    return rules(workspace, min_support, min_confidence).partners(product, top)


def bundles(workspace: Workspace, min_support: float = DEFAULT_MIN_SUPPORT, min_confidence: float = DEFAULT_MIN_CONFIDENCE,
            top: int = 10, min_orders_together: int = MIN_ORDERS_TOGETHER) -> pd.DataFrame:
    """Suggested bundles (BUNDLE_COLUMNS); see Rules.bundles."""
    return rules(workspace, min_support, min_confidence).bundles(top, min_orders_together)


def cross_sell_suggestions(workspace: Workspace, top: int = 5, min_support: float = DEFAULT_MIN_SUPPORT,
                           min_confidence: float = DEFAULT_MIN_CONFIDENCE,
                           min_orders_together: int = MIN_ORDERS_TOGETHER,
                           min_multi_product_orders: int = MIN_MULTI_PRODUCT_ORDERS) -> CrossSell:
    """What to recommend to customers worth growing (the Customer tiers page's Potential tier): the strongest
    pairs, each pair once, read in the direction a shopper is most likely to follow (the higher confidence),
    bought together more than chance in enough orders."""
    found = rules(workspace, min_support, min_confidence, min_multi_product_orders)
    table = found.table[(found.table["lift"] > 1) & (found.table["count_orders_together"] >= min_orders_together)]
    table = table.sort_values(["lift", "confidence", "count_orders_together", "antecedent_name", "consequent_name"],
                              ascending=[False, False, False, True, True], kind="stable")
    suggestions, seen = [], set()
    for row in table.itertuples(index=False):
        pair = frozenset((row.antecedent, row.consequent))
        if pair in seen:
            continue
        seen.add(pair)
        suggestions.append(Suggestion(row.antecedent, row.consequent, row.antecedent_name, row.consequent_name,
                                      float(row.confidence), float(row.lift), int(row.count_orders_together)))
        if len(suggestions) >= top:
            break
    return CrossSell(tuple(suggestions), found.missing, found.missing_params)
