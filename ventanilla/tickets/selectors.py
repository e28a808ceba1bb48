"""Reads: the queries behind the portal's and the console's lists.

Every function takes the user and starts from the access module's querysets,
so no list can show a ticket its viewer may not see."""


# --- Customer portal -------------------------------------------------------


# --- Agent console ---------------------------------------------------------
