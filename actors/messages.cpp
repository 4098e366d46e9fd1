// placeholder until the messages land
