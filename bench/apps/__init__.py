"""Small apps that exist only to be measured beside the tutorial's parts."""
