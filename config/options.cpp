// placeholder until the options land
