"""Name material for the synthetic demo register: common surnames (roughly by frequency)
and given-name characters. Synthetic people only: any likeness to a real person is chance."""

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# Zipf-like weights: the first surnames are far more common.
SURNAME_WEIGHTS = tuple(1.0 / (i + 3) for i in range(len(SURNAMES)))
MALE_GIVEN = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国志文斌峰振海亮成荣新"
)
FEMALE_GIVEN = "芳娜敏静丽艳娟霞秀燕玲桂丹萍红婷雪琳晶颖慧莉梅倩琴云洁兰英华玉凤佳怡欣悦彤雨思涵"
