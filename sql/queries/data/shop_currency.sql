-- The shop's currency: the one most order lines are in (null when no line names one; a Taobao/Tmall
-- export, which names none, is loaded as CNY).

select mode(currency) as currency
from usable_orders as orders
where currency is not null
