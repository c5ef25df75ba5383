"""Closing the loop: the improvement register (PDCA) and measured customer campaigns."""
