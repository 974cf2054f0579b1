// placeholder, replaced by the types work
