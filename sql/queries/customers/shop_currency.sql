-- The shop's currency: the one most order lines are in (null when no line names one).

select mode(currency) as currency
from orders
where currency is not null
