"""The customer rating pad (评价器) and the pieces other windows show of ratings."""
