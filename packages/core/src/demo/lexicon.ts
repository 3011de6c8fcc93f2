/**
 * Word lists for the demo corpus. Person, company, product and team names are combinations of
 * common name parts made up for this corpus; place names are real (prefectures, cities, countries,
 * mountains and rivers are facts). Four surnames use characters outside the Basic Multilingual
 * Plane (𠮷 U+20BB7, 𡈽 U+2123D) and one product uses 𩸽 (U+29E3D), so two UTF-16 code units make
 * one character and offset handling is exercised.
 */

function words(list: string): string[] {
  return list.split(/\s+/).filter((w) => w.length > 0);
}

export const SURNAMES: readonly string[] = words(`
  佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上
  木村 林 斎藤 清水 山崎 森 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田
  長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本 福田 太田 西村 藤井 金子 岡本 藤原 中野
  三浦 原田 松田 竹内 小野 田村 中山 和田 石田 森田 上田 柴田 酒井 工藤 横山 宮崎
  宮本 内田 高木 安藤 島田 谷口 大野 丸山 今井 河野 藤本 武田 杉山 増田 小島 平野
  大塚 千葉 久保 松井 岩崎 桜井 木下 野口 松尾 菊地 野村 新井 髙橋 齋藤
`);

/** Surnames written with astral-plane characters (two UTF-16 code units each for the first char). */
export const ASTRAL_SURNAMES: readonly string[] = words(`
  𠮷田 𠮷川 𠮷村 𡈽屋
`);

export const GIVEN_NAMES: readonly string[] = words(`
  太郎 健太 翔太 大輔 拓也 直樹 陽介 達也 和也 悠斗 蓮 湊 大翔 陽翔 樹 誠 浩 剛
  隆 修 亮 健一 英樹 勇気 花子 陽子 美咲 さくら 葵 結衣 陽菜 美穂 恵 由美 真由美
  彩 愛 舞 千尋 奈々 麻衣 優子 智子 香織 ひかり 楓 凛 莉子 芽依 結菜 みずき 沙織
`);

export const FOREIGN_GIVEN: readonly string[] = words(`
  ジョン マリア アンナ トーマス エミリー ルーカス ソフィア ダニエル カール イワン エレナ
  ミゲル オリヴィア ハンス ピエール
`);

export const FOREIGN_FAMILY: readonly string[] = words(`
  スミス ミュラー ロッシ ガルシア ペトロフ ジョンソン ベルナール ノヴァク シュミット
  ウィルソン フェルナンデス コワルスキ ラーセン
`);

/** Invented brand roots for companies, products, venues and groups. */
export const ROOTS_KANJI: readonly string[] = words(`
  青葉 若竹 白鷺 東雲 朝凪 星見 翠嶺 銀河 紅葉坂 千鳥 北斗 大和田 高嶺 瑞穂野 光明
  天陽 明星 桜丘 松風 鶴見野 久遠 晴嵐 雪月 琥珀
`);

export const ROOTS_KANA: readonly string[] = words(`
  ソラミチ カナエル ミライエ ホシゾラ ルミナ ノーヴァ クラリス テラノバ シンフォニア
  ネリマ ツバサ アルカ フォルテ ミナギ ハルカゼ コトノハ
`);

/** Latin roots: half-width and full-width forms both occur in Japanese text. */
export const ROOTS_LATIN: readonly string[] = words(`
  Lumina Novatech Aozora Kiseki Orbis Zephyr
`);
export const ROOTS_LATIN_FULLWIDTH: readonly string[] = words(`
  ＮＥＸＴＯＮ ＫＡＮＡＴＡ ＡＲＣＵＳ ＳＯＲＡＮＯ
`);

export const COMPANY_SUFFIXES: readonly string[] = words(`
  工業 製作所 電機 商事 化学 重工 精機 食品 製薬 建設 運輸 証券 ホールディングス
  テクノロジーズ システムズ 電子 物産 自動車 通信
`);

/** Companies named after a city (the city is a nested LOCATION). */
export const CITY_COMPANY_SUFFIXES: readonly string[] = words(`
  中央交通 信用金庫 港湾運輸 電鉄 観光開発
`);

/** A city: its bare name (used inside organisation names) and the suffix of its full name. */
export interface City {
  name: string;
  suffix: '市' | '都';
}

/** Cities by full name; `東京都` has the suffix 都, the others 市. */
export const CITIES: readonly City[] = words(`
  札幌市 仙台市 金沢市 浜松市 静岡市 名古屋市 京都市 大阪市 神戸市 岡山市 広島市 松山市
  高知市 福岡市 熊本市 鹿児島市 那覇市 横浜市 川崎市 新潟市 富山市 長野市 岐阜市 奈良市
  松江市 高松市 長崎市 盛岡市 秋田市 宇都宮市 甲府市 函館市 姫路市 倉敷市 北九州市 東京都
`).map((full) => ({ name: full.slice(0, -1), suffix: full.slice(-1) as City['suffix'] }));

export const PREFECTURES: readonly string[] = words(`
  北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県
  東京都 神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県
  滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県
  香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県
`);

export const COUNTRIES: readonly string[] = words(`
  アメリカ フランス ドイツ 中国 韓国 イタリア ブラジル インド オーストラリア カナダ
  スペイン ベトナム タイ エジプト メキシコ ケニア ノルウェー ポーランド
`);

export const LANDMARKS: readonly string[] = words(`
  富士山 琵琶湖 利根川 信濃川 瀬戸内海 阿蘇山 知床半島 屋久島 十和田湖 石狩川 六甲山
  淡路島
`);

export const MINISTRIES: readonly string[] = words(`
  国土交通省 外務省 文部科学省 総務省 財務省 環境省 厚生労働省 経済産業省 農林水産省
  防衛省 気象庁 消費者庁
`);

/** Invented political parties. */
export const PARTIES: readonly string[] = words(`
  未来創造党 緑の市民党 国民協調党 自由改革党 地域再生の会 新しい明日の会
`);

export const INTERNATIONAL_ORGS: readonly string[] = words(`
  国際連合 欧州連合 世界保健機関 国際通貨基金 東南アジア諸国連合
`);

export const TEAM_NAMES: readonly string[] = words(`
  ブルーファルコンズ レッドスターズ サンダース マリナーズ ウインズ フェニックス ライオネルズ
  オーシャンズ
`);

export const ORCHESTRA_KINDS: readonly string[] = words(`
  フィルハーモニー管弦楽団 交響楽団 室内合奏団 合唱団 吹奏楽団
`);

export const UNIVERSITY_KINDS: readonly string[] = words(`
  大学 工業大学 女子大学 芸術大学 医科大学
`);

export const FACILITY_KINDS: readonly string[] = words(`
  美術館 博物館 記念ホール 文化会館 記念病院 スタジアム アリーナ
`);

export const CITY_FACILITY_SUFFIXES: readonly string[] = words(`
  駅 城 国際空港 市立図書館 市民会館 港 中央公園
`);

export const PRODUCT_KINDS: readonly string[] = words(`
  スマートフォン 電気自動車 ノートパソコン ゲーム機 炊飯器 ドローン
`);

export const MODEL_LETTERS: readonly string[] = words(`
  X S Pro Z Ｘ Ｓ Ｒ
`);

export const BOOK_TITLES: readonly string[] = words(`
  星降る夜の約束 風のゆくえ 青い海の向こう 最後の一手 月影のソナタ 銀色の坂道 遠い日の灯
  夏の終わりの雲 硝子の街 春を待つ手紙 翼のない鳥 約束の樹
`);

export const FOODS: readonly string[] = words(`
  弁当 煎餅 羊羹 カレー 饅頭
`);

/** 𩸽 (hokke, U+29E3D) is an astral-plane character. */
export const FOOD_ROOTS: readonly string[] = words(`
  𩸽 鯛 栗 柚子 抹茶
`);

export const SPORTS: readonly string[] = words(`
  陸上競技 水泳 柔道 将棋 囲碁 フィギュアスケート 卓球 バドミントン
`);

export const FESTIVAL_WORDS: readonly string[] = words(`
  ひかり祭 港まつり 国際映画祭 音楽祭 マラソン 花火大会 国際会議
`);

export const HISTORICAL_EVENTS: readonly string[] = words(`
  関ヶ原の戦い 応仁の乱 明治維新 大化の改新 壬申の乱
`);

export const INDUSTRIES: readonly string[] = words(`
  電子部品 自動車部品 食品 医薬品 工作機械 化粧品 家電
`);

export const JOBS: readonly string[] = words(`
  実業家 政治家 小説家 建築家 陸上競技選手 指揮者 画家 研究者
`);
