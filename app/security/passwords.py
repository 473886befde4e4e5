"""The most common passwords and password words (lower case), checked offline.

From the well-known public top lists (English and Indonesian favourites);
app.security.manager refuses a password equal to one of them, or one of them with only
digits and symbols around it ("Password2024!", "bismillah123").
"""
from __future__ import annotations

COMMON_PASSWORDS = frozenset("""
123456 123456789 12345678 1234567890 12345 1234567 password password1 password123 qwerty qwerty123
qwertyuiop 111111 123123 000000 abc123 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y 1qaz2wsx 1qaz2wsx3edc zaq12wsx
iloveyou admin admin123 administrator welcome welcome1 letmein monkey dragon football baseball
basketball soccer master sunshine princess shadow superman batman trustno1 whatever freedom
starwars passw0rd p@ssw0rd p@ssword pa$$word changeme secret login root toor test test123 guest
default computer internet samsung google michael jennifer jordan hunter ranger buster harley
charlie thomas robert daniel jessica ashley nicole hannah summer winter spring autumn
asdfghjkl asdfgh zxcvbnm zxcvbnm123 qazwsx qweasd qweasdzxc 1234qwer qwer1234 q1w2e3r4 a1b2c3d4
aa123456 azerty loveyou lovely love123 fuckyou killer pokemon naruto cookie cheese chocolate
flower tigger maggie ginger pepper daisy jesus christ blessed angel angels friends family
myspace facebook instagram twitter linkedin youtube mustang ferrari corvette access mypassword
passwordpassword password12345 password1234 qwerty12345 qwerty1234 abcdefgh abcd1234 abcdef
1234abcd a123456 123qwe 123abc 654321 987654321 0987654321 112233 121212 159753 147258369
696969 666666 777777 888888 999999 555555 222222 333333 444444 101010 7777777 11111111
indonesia indonesia123 jakarta bandung surabaya medan pekanbaru riau sumatera bismillah
alhamdulillah assalamualaikum insyaallah sayang sayangku sayangkamu cintaku cinta kasih rahasia
katasandi sandi kuncirahasia merdeka garuda pancasila bangsa persija persib doraemon
anakku bunda ayah ibu mamah papah keluarga sahabat kampret bangsat anjing indomie kopi kopisusu
pemerintah pemkot dinas dpmptsp ptsp pelayanan perizinan backoffice spbackoffice kantor pegawai
""".split())
