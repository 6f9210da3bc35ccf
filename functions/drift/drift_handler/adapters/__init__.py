"""AWS I/O of this function, behind small classes the services receive."""
