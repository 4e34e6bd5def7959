"""Family help (亲情账号 / 代办): a resident authorises an enrolled family member to act for them."""
