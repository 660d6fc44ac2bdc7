mod notify;
