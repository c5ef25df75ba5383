"""The small traffic and funnel files the diagnosis tests share, worked out by hand where they are used.

TRAFFIC: one source, seo, 100 visitors on April 1 (bounce 40%) and May 1 (bounce 80%, above the 70% line).
FUNNEL: two segments with no 'all' rows. In May, mobile 600 -> 200 (loses 2/3, a leak), desktop 400 -> 300;
added up, 1,000 -> 500 (loses half). In April, mobile only, 1,000 -> 900 (loses 10%).
"""

TRAFFIC = """
    date,channel,uv,bounce_rate
    2024-04-01,seo,100,0.4
    2024-05-01,seo,100,0.8
"""
FUNNEL = """
    step,stage,users,segment,date
    1,home,600,mobile,2024-05-01
    2,checkout,200,mobile,2024-05-01
    1,home,400,desktop,2024-05-01
    2,checkout,300,desktop,2024-05-01
    1,home,1000,mobile,2024-04-01
    2,checkout,900,mobile,2024-04-01
"""
